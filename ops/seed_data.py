"""The demo catalogue loaded by `marketplace seed-demo` (ops/seed.py): fixed data, no
randomness. Eight categories of eight products; each product gets 1-3 variants along its
category's axis (colour, size, edition...), chosen by its position, and a deterministic stock.
"""
from __future__ import annotations

from dataclasses import dataclass

from domain.catalog.rules import slugify

# (slug, name, SKU prefix, variant axis: (option, price delta in minor units))
CATEGORIES: tuple[tuple[str, str, str, tuple[tuple[str, int], ...]], ...] = (
    ("electronics", "Electronics", "ELEC", (("Black", 0), ("White", 0), ("Blue", 1000))),
    ("audio", "Audio", "AUDI", (("Black", 0), ("Silver", 0), ("Rose Gold", 1500))),
    ("home-kitchen", "Home & Kitchen", "HOME", (("Small", 0), ("Medium", 1000), ("Large", 2500))),
    ("garden", "Garden & Outdoor", "GARD", (("Standard", 0), ("Pro", 1500), ("Bundle", 3500))),
    ("books", "Books", "BOOK", (("Paperback", 0), ("Hardcover", 800), ("Audiobook", 500))),
    ("sports", "Sports & Fitness", "SPRT", (("S", 0), ("M", 0), ("L", 0))),
    ("fashion", "Fashion", "FASH", (("S", 0), ("M", 0), ("L", 0))),
    ("toys", "Toys & Games", "TOYS", (("Standard", 0), ("Deluxe", 1500), ("Collector's", 3000))),
)

# (email, display name, categories they sell)
SELLERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("seller1@example.com", "Northwind Audio & Tech", ("electronics", "audio", "toys")),
    ("seller2@example.com", "Evergreen Home & Garden", ("home-kitchen", "garden", "books")),
    ("seller3@example.com", "Summit Outfitters", ("sports", "fashion")),
)

# category slug -> (name, price in minor units, description)
PRODUCTS: dict[str, tuple[tuple[str, int, str], ...]] = {
    "electronics": (
        ("Smartwatch Series 5", 19900, "Heart-rate, GPS and sleep tracking; 7-day battery."),
        ("USB-C Charging Hub", 4999, "Seven ports, 100 W pass-through charging, aluminium body."),
        ("Portable Power Bank 20000mAh", 3999, "Charges a phone five times; USB-C in and out."),
        ("Mechanical Keyboard", 8999, "Hot-swappable switches, PBT keycaps, white backlight."),
        ("Wireless Mouse", 2999, "Silent clicks, 70-day battery, works on glass."),
        ("4K Action Camera", 24900, "Waterproof to 10 m, with image stabilisation."),
        ("E-Reader with Front Light", 12999, "Glare-free 6-inch screen and weeks of battery."),
        ("Smart Home Speaker", 9999, "Voice assistant, room-filling sound, multi-room audio."),
    ),
    "audio": (
        ("Wireless Headphones", 24999, "Over-ear noise cancelling headphones, 30 hour battery."),
        ("True Wireless Earbuds", 12999, "Active noise cancellation, pocketable charging case."),
        ("Bluetooth Speaker", 7999, "Portable, waterproof speaker with deep bass and 12 h play."),
        ("Studio Monitor Headphones", 14999, "Closed-back, flat response for mixing."),
        ("Turntable with Preamp", 19999, "Belt-drive record player with a built-in phono preamp."),
        ("Soundbar with Subwoofer", 29999, "Dolby Atmos soundbar with a wireless subwoofer."),
        ("USB Podcast Microphone", 9999, "Cardioid condenser microphone with a headphone jack."),
        ("Sport Earphones", 5999, "Sweat-proof wireless earphones with secure ear hooks."),
    ),
    "home-kitchen": (
        ("Cast Iron Skillet", 3999, "Pre-seasoned 26 cm skillet for searing, baking and frying."),
        ("Chef's Knife", 7999, "20 cm German steel blade with a full-tang handle."),
        ("Pour-Over Coffee Set", 4599, "Glass dripper, kettle and filters for a clean cup."),
        ("Linen Bed Sheets", 11999, "Stonewashed European linen, breathable and soft."),
        ("Ceramic Dinnerware Set", 8999, "Twelve pieces of stoneware glazed in matte white."),
        ("Air Fryer", 12999, "Crisps with little oil; 5.5 litres and eight presets."),
        ("Wool Throw Blanket", 6999, "Chunky knit merino throw for the sofa."),
        ("Bamboo Cutting Board", 2499, "Knife-friendly board with a juice groove."),
    ),
    "garden": (
        ("Raised Garden Bed", 8999, "Galvanised steel bed for vegetables and herbs."),
        ("Cordless Hedge Trimmer", 11999, "Lightweight trimmer with a 50 cm dual-action blade."),
        ("Solar Path Lights", 3499, "Eight warm-white lights that switch on at dusk."),
        ("Expandable Garden Hose", 2999, "Stretches to 30 m, with a seven-pattern spray nozzle."),
        ("Ergonomic Pruning Shears", 2499, "Bypass shears with a rotating handle to spare wrists."),
        ("Teak Outdoor Bench", 24999, "Weather-resistant teak bench for two."),
        ("Bird Feeder Station", 3999, "Squirrel-proof feeder with four ports."),
        ("Compost Bin", 5999, "Dual-chamber tumbling composter for faster compost."),
    ),
    "books": (
        ("The Art of Slow Cooking", 2499, "Recipes for braises, stews and weekend roasts."),
        ("A Field Guide to Birds", 1999, "Illustrated guide to 500 species with range maps."),
        ("Designing Data Systems", 4499, "How reliable, scalable databases and streams work."),
        ("The Mountain Path", 1599, "A novel of two sisters crossing the Alps in 1944."),
        ("Everyday Watercolor", 2299, "Thirty projects for beginners, step by step."),
        ("Home Gardening Handbook", 2799, "Soil, seeds and seasons for a productive garden."),
        ("Mindful Running", 1799, "Training plans and the psychology of distance running."),
        ("Stories for Bedtime", 1499, "Twenty illustrated stories for young readers."),
    ),
    "sports": (
        ("Yoga Mat", 3999, "Non-slip 6 mm mat with an alignment print."),
        ("Adjustable Dumbbells", 29999, "From 2.5 to 24 kg with a turn of the dial."),
        ("Trail Running Shoes", 12999, "Grippy soles and a rock plate for muddy trails."),
        ("Insulated Water Bottle", 2999, "Keeps drinks cold for 24 hours, leak-proof lid."),
        ("Resistance Band Set", 2499, "Five bands from light to extra heavy, with handles."),
        ("Cycling Helmet", 8999, "Ventilated helmet with MIPS protection."),
        ("Hiking Backpack 30L", 10999, "Ventilated back panel, rain cover included."),
        ("Foam Roller", 2199, "High-density roller for recovery and mobility."),
    ),
    "fashion": (
        ("Merino Wool Sweater", 8999, "Fine-knit crew neck that breathes and resists odour."),
        ("Waterproof Rain Jacket", 14999, "Taped seams, packable hood, breathable membrane."),
        ("Organic Cotton T-Shirt", 2499, "Heavyweight organic cotton with a relaxed fit."),
        ("Leather Belt", 4999, "Full-grain leather belt with a brass buckle."),
        ("Denim Jacket", 7999, "Classic trucker jacket in rigid indigo denim."),
        ("Canvas Sneakers", 5999, "Low-top sneakers with a vulcanised rubber sole."),
        ("Wool Beanie", 1999, "Ribbed merino beanie, warm without itching."),
        ("Linen Summer Shirt", 5499, "Lightweight linen shirt with a camp collar."),
    ),
    "toys": (
        ("Wooden Building Blocks", 3499, "One hundred blocks of beech wood in natural colours."),
        ("Remote Control Car", 5999, "Off-road RC car with a rechargeable battery."),
        ("Strategy Board Game", 4499, "Trade, build and settle an island; 3 to 4 players."),
        ("1000-Piece Jigsaw Puzzle", 1999, "A painted map of the world's great harbours."),
        ("Plush Teddy Bear", 2499, "Soft, washable bear made for hugging."),
        ("Science Experiment Kit", 3999, "Twenty safe experiments for curious kids."),
        ("Magnetic Drawing Board", 1799, "Draw, erase and draw again; no mess."),
        ("Card Game Party Pack", 1499, "Fast rounds of laughs for four to ten players."),
    ),
}


@dataclass(frozen=True)
class DemoVariant:
    sku: str
    name: str
    price_minor: int
    stock: int


@dataclass(frozen=True)
class DemoProduct:
    slug: str
    name: str
    description: str
    category: str
    seller_email: str
    variants: tuple[DemoVariant, ...]
    image_url: str
    age_hours: int  # created this many hours before the seed ran (newest last in the list)


def _seller_of(category: str) -> str:
    return next(email for email, _, cats in SELLERS if category in cats)


def demo_products() -> list[DemoProduct]:
    """Every demo product, deterministically. Wireless Headphones (249.99, HEAD-001 with 50
    units) is the one the README's walkthrough buys."""
    made: list[DemoProduct] = []
    total = sum(len(items) for items in PRODUCTS.values())
    for slug, _, prefix, axis in CATEGORIES:
        for n, (name, price, description) in enumerate(PRODUCTS[slug], start=1):
            i = len(made)
            count = 1 + (i % 3)
            base = "HEAD" if name == "Wireless Headphones" else f"{prefix}-{n:03d}"
            variants = []
            for j, (option, delta) in enumerate(axis[:count]):
                sku = f"HEAD-{j + 1:03d}" if base == "HEAD" else (
                    base if count == 1 else f"{base}-{j + 1}")
                stock = 0 if (i + j) % 16 == 15 else 5 + (i * 37 + j * 11) % 60
                if base == "HEAD":
                    delta, stock = 0, 50 - 20 * j
                variants.append(DemoVariant(sku, option if count > 1 else "Default",
                                            price + delta, stock))
            product_slug = slugify(name)
            made.append(DemoProduct(
                slug=product_slug, name=name, description=description, category=slug,
                seller_email=_seller_of(slug), variants=tuple(variants),
                image_url=f"https://picsum.photos/seed/{product_slug}/800/800",
                age_hours=total - i))
    return made
