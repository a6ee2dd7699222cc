"""Money as integer minor units plus an ISO 4217 currency code. Never a float."""
from __future__ import annotations

from dataclasses import dataclass

from domain.errors import DomainError

# ISO 4217 exponents that differ from 2.
_EXPONENTS = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3, "JOD": 3,
              "OMR": 3, "TND": 3}


def exponent(currency: str) -> int:
    return _EXPONENTS.get(currency.upper(), 2)


def amount_text(minor: int, currency: str) -> str:
    """The decimal string of `minor` units of `currency`, e.g. "249.99" (exact, from
    integers; what Money.amount shows, for callers holding the two numbers)."""
    if type(minor) is not int:
        raise TypeError("an amount is an int of minor units")
    exp = exponent(currency)
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 10**exp)
    return f"{sign}{whole}.{frac:0{exp}d}" if exp else f"{sign}{whole}"


@dataclass(frozen=True, order=True)
class Money:
    minor: int
    currency: str = "USD"

    def __post_init__(self) -> None:
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise TypeError("Money.minor must be an int")

    @property
    def amount(self) -> str:
        """Decimal string, e.g. "249.99" (exact, from integers)."""
        return amount_text(self.minor, self.currency)

    def _same(self, other: "Money") -> None:
        if other.currency != self.currency:
            raise ValueError(f"currency mismatch: {self.currency} vs {other.currency}")

    def __add__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def times(self, n: int) -> "Money":
        return Money(self.minor * n, self.currency)

    @classmethod
    def zero(cls, currency: str = "USD") -> "Money":
        return cls(0, currency)


# ---------------------------------------------------------------- amount ceiling
# docs/rules.md "Amount ceiling": GraphQL's Int (Money.minorUnits) is 32-bit, so no cart,
# checkout or order may be accepted whose figures would not fit; the gross of a priced
# checkout (subtotal + shipping + tax) bounds every other figure it shows.
MAX_AMOUNT = 2**31 - 1
MIN_AMOUNT = -(2**31)


def within_ceiling(minor: int) -> bool:
    return MIN_AMOUNT <= minor <= MAX_AMOUNT


def check_ceiling(minor: int, what: str, *field: str) -> None:
    """LIMIT_EXCEEDED when `minor` (the largest figure of a change) does not fit."""
    if not within_ceiling(minor):
        raise DomainError("LIMIT_EXCEEDED",
                          f"{what} would come to more than {MAX_AMOUNT} minor units, the most "
                          "an amount may be; split it into smaller orders.",
                          list(field) or None, {"maxMinorUnits": MAX_AMOUNT})
