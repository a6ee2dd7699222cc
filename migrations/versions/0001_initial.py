"""initial schema: identity, catalogue, stock, carts, outbox, checkout, promotions, loyalty

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 15:30:54.988275
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_categories')),
    sa.UniqueConstraint('slug', name=op.f('uq_categories_slug'))
    )
    op.create_table('ledger_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('balance_minor', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_accounts')),
    sa.UniqueConstraint('name', name=op.f('uq_ledger_accounts_name'))
    )
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_type', sa.String(length=60), nullable=False),
    sa.Column('aggregate_type', sa.String(length=60), nullable=False),
    sa.Column('aggregate_id', sa.Integer(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_aggregate', ['aggregate_type', 'aggregate_id'], unique=False)
        batch_op.create_index('ix_outbox_undispatched', ['dispatched_at', 'id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=True),
    sa.Column('account_type', sa.String(length=10), nullable=False),
    sa.Column('external_subject', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("account_type IN ('BUYER','SELLER','ADMIN')", name=op.f('ck_users_account_type')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email')),
    sa.UniqueConstraint('external_subject', name=op.f('uq_users_external_subject'))
    )
    op.create_table('addresses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('line1', sa.String(length=300), nullable=False),
    sa.Column('line2', sa.String(length=300), nullable=True),
    sa.Column('city', sa.String(length=120), nullable=False),
    sa.Column('region', sa.String(length=60), nullable=False),
    sa.Column('postal_code', sa.String(length=30), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('is_default', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_addresses_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_addresses'))
    )
    with op.batch_alter_table('addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_addresses_user_id'), ['user_id'], unique=False)

    op.create_table('carts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('currency', sa.String(length=3), server_default='USD', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('ACTIVE','CHECKOUT','COMPLETED','EXPIRED','ABANDONED')", name=op.f('ck_carts_status')),
    sa.ForeignKeyConstraint(['buyer_id'], ['users.id'], name=op.f('fk_carts_buyer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_carts'))
    )
    with op.batch_alter_table('carts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_carts_buyer_id'), ['buyer_id'], unique=False)
        batch_op.create_index('ix_carts_status_expires', ['status', 'expires_at'], unique=False)
        batch_op.create_index('uq_carts_live_buyer', ['buyer_id'], unique=True, sqlite_where=sa.text("status IN ('ACTIVE','CHECKOUT')"), postgresql_where=sa.text("status IN ('ACTIVE','CHECKOUT')"))

    op.create_table('loyalty_accounts',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.CheckConstraint('points >= 0', name=op.f('ck_loyalty_accounts_points')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_loyalty_accounts_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_loyalty_accounts'))
    )
    op.create_table('loyalty_transactions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('EARN','SPEND','REFUND','ADJUST')", name=op.f('ck_loyalty_transactions_kind')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_loyalty_transactions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loyalty_transactions'))
    )
    with op.batch_alter_table('loyalty_transactions', schema=None) as batch_op:
        batch_op.create_index('ix_loyalty_transactions_user_created', ['user_id', 'created_at'], unique=False)

    op.create_table('payment_methods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('provider_token', sa.String(length=200), nullable=False),
    sa.Column('brand', sa.String(length=40), nullable=False),
    sa.Column('last4', sa.String(length=4), nullable=False),
    sa.Column('is_default', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_payment_methods_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_methods'))
    )
    with op.batch_alter_table('payment_methods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_methods_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_payment_methods_user_token', ['user_id', 'provider_token'], unique=True)

    op.create_table('refresh_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('family', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_refresh_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refresh_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_refresh_tokens_token_hash'))
    )
    with op.batch_alter_table('refresh_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refresh_tokens_family'), ['family'], unique=False)
        batch_op.create_index(batch_op.f('ix_refresh_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('sellers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sellers_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sellers')),
    sa.UniqueConstraint('user_id', name=op.f('uq_sellers_user_id'))
    )
    op.create_table('checkout_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cart_id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('shipping_address', sa.Text(), nullable=True),
    sa.Column('billing_address', sa.Text(), nullable=True),
    sa.Column('shipping_method', sa.String(length=20), nullable=True),
    sa.Column('promotion_code', sa.String(length=60), nullable=True),
    sa.Column('loyalty_points', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('OPEN','COMPLETED','EXPIRED')", name=op.f('ck_checkout_sessions_status')),
    sa.CheckConstraint('loyalty_points >= 0', name=op.f('ck_checkout_sessions_loyalty_points')),
    sa.ForeignKeyConstraint(['buyer_id'], ['users.id'], name=op.f('fk_checkout_sessions_buyer_id_users')),
    sa.ForeignKeyConstraint(['cart_id'], ['carts.id'], name=op.f('fk_checkout_sessions_cart_id_carts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkout_sessions'))
    )
    with op.batch_alter_table('checkout_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkout_sessions_buyer_id'), ['buyer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkout_sessions_cart_id'), ['cart_id'], unique=False)
        batch_op.create_index('ix_checkout_sessions_status_expires', ['status', 'expires_at'], unique=False)
        batch_op.create_index('uq_checkout_sessions_open_cart', ['cart_id'], unique=True, sqlite_where=sa.text("status = 'OPEN'"), postgresql_where=sa.text("status = 'OPEN'"))

    op.create_table('products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('min_price_minor', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('max_price_minor', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('has_history', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('DRAFT','ACTIVE','ARCHIVED')", name=op.f('ck_products_status')),
    sa.CheckConstraint('min_price_minor >= 0 AND max_price_minor >= min_price_minor', name=op.f('ck_products_prices')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_products_category_id_categories')),
    sa.ForeignKeyConstraint(['seller_id'], ['sellers.id'], name=op.f('fk_products_seller_id_sellers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_products')),
    sa.UniqueConstraint('slug', name=op.f('uq_products_slug'))
    )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_products_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_products_seller_id'), ['seller_id'], unique=False)
        batch_op.create_index('ix_products_status_created', ['status', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_products_status_name', ['status', 'name', 'id'], unique=False)
        batch_op.create_index('ix_products_status_price', ['status', 'min_price_minor', 'id'], unique=False)

    op.create_table('promotions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('value', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('currency', sa.String(length=3), server_default='USD', nullable=False),
    sa.Column('min_subtotal_minor', sa.Integer(), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('usage_limit', sa.Integer(), nullable=True),
    sa.Column('per_customer_limit', sa.Integer(), nullable=True),
    sa.Column('times_used', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.text('(true)'), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('PERCENT','FIXED','FREE_SHIPPING')", name=op.f('ck_promotions_kind')),
    sa.CheckConstraint('times_used >= 0', name=op.f('ck_promotions_times_used')),
    sa.CheckConstraint('usage_limit IS NULL OR times_used <= usage_limit', name=op.f('ck_promotions_usage_limit')),
    sa.CheckConstraint('value >= 0', name=op.f('ck_promotions_value')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_promotions_created_by_users')),
    sa.ForeignKeyConstraint(['seller_id'], ['sellers.id'], name=op.f('fk_promotions_seller_id_sellers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_promotions')),
    sa.UniqueConstraint('code', name=op.f('uq_promotions_code'))
    )
    with op.batch_alter_table('promotions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_promotions_seller_id'), ['seller_id'], unique=False)

    op.create_table('product_images',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=1000), nullable=False),
    sa.Column('alt_text', sa.String(length=300), nullable=True),
    sa.Column('position', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_images_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_images'))
    )
    with op.batch_alter_table('product_images', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_images_product_id'), ['product_id'], unique=False)

    op.create_table('promotion_usages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('promotion_id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['buyer_id'], ['users.id'], name=op.f('fk_promotion_usages_buyer_id_users')),
    sa.ForeignKeyConstraint(['promotion_id'], ['promotions.id'], name=op.f('fk_promotion_usages_promotion_id_promotions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_promotion_usages'))
    )
    with op.batch_alter_table('promotion_usages', schema=None) as batch_op:
        batch_op.create_index('ix_promotion_usages_promo_buyer', ['promotion_id', 'buyer_id'], unique=False)

    op.create_table('variants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('price_minor', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('price_minor >= 0', name=op.f('ck_variants_price_minor')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_variants_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_variants')),
    sa.UniqueConstraint('sku', name=op.f('uq_variants_sku'))
    )
    with op.batch_alter_table('variants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_variants_product_id'), ['product_id'], unique=False)

    op.create_table('cart_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cart_id', sa.Integer(), nullable=False),
    sa.Column('variant_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price_minor', sa.Integer(), nullable=False),
    sa.Column('reserved_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('quantity BETWEEN 1 AND 100', name=op.f('ck_cart_lines_quantity')),
    sa.ForeignKeyConstraint(['cart_id'], ['carts.id'], name=op.f('fk_cart_lines_cart_id_carts')),
    sa.ForeignKeyConstraint(['variant_id'], ['variants.id'], name=op.f('fk_cart_lines_variant_id_variants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cart_lines')),
    sa.UniqueConstraint('cart_id', 'variant_id', name='uq_cart_lines_cart_variant')
    )
    with op.batch_alter_table('cart_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cart_lines_variant_id'), ['variant_id'], unique=False)

    op.create_table('stock',
    sa.Column('variant_id', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('available', sa.Integer(), nullable=False),
    sa.Column('reserved', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('allocated', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('low_stock_threshold', sa.Integer(), server_default=sa.text('5'), nullable=False),
    sa.CheckConstraint('allocated >= 0', name=op.f('ck_stock_allocated')),
    sa.CheckConstraint('available >= 0', name=op.f('ck_stock_available')),
    sa.CheckConstraint('reserved >= 0', name=op.f('ck_stock_reserved')),
    sa.CheckConstraint('total = available + reserved + allocated', name=op.f('ck_stock_total')),
    sa.ForeignKeyConstraint(['variant_id'], ['variants.id'], name=op.f('fk_stock_variant_id_variants')),
    sa.PrimaryKeyConstraint('variant_id', name=op.f('pk_stock'))
    )
    _create_search()


SQLITE_FTS = [
    "CREATE VIRTUAL TABLE products_fts USING fts5(name, description, content='products', "
    "content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER products_fts_ai AFTER INSERT ON products BEGIN "
    "INSERT INTO products_fts(rowid, name, description) VALUES (new.id, new.name, new.description); END",
    "CREATE TRIGGER products_fts_ad AFTER DELETE ON products BEGIN "
    "INSERT INTO products_fts(products_fts, rowid, name, description) "
    "VALUES ('delete', old.id, old.name, old.description); END",
    "CREATE TRIGGER products_fts_au AFTER UPDATE OF name, description ON products BEGIN "
    "INSERT INTO products_fts(products_fts, rowid, name, description) "
    "VALUES ('delete', old.id, old.name, old.description); "
    "INSERT INTO products_fts(rowid, name, description) VALUES (new.id, new.name, new.description); END",
]
POSTGRES_SEARCH = (
    "CREATE INDEX ix_products_search ON products "
    "USING gin (to_tsvector('english', name || ' ' || description))"
)


def _create_search() -> None:
    """Full-text search on name and description: FTS5 on SQLite, a GIN index over the same
    tsvector expression the catalogue query uses on PostgreSQL."""
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    else:
        op.execute(POSTGRES_SEARCH)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("products_fts_ai", "products_fts_ad", "products_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS products_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_products_search")
    op.drop_table('stock')
    with op.batch_alter_table('cart_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cart_lines_variant_id'))

    op.drop_table('cart_lines')
    with op.batch_alter_table('variants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_variants_product_id'))

    op.drop_table('variants')
    with op.batch_alter_table('promotion_usages', schema=None) as batch_op:
        batch_op.drop_index('ix_promotion_usages_promo_buyer')

    op.drop_table('promotion_usages')
    with op.batch_alter_table('product_images', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_images_product_id'))

    op.drop_table('product_images')
    with op.batch_alter_table('promotions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_promotions_seller_id'))

    op.drop_table('promotions')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index('ix_products_status_price')
        batch_op.drop_index('ix_products_status_name')
        batch_op.drop_index('ix_products_status_created')
        batch_op.drop_index(batch_op.f('ix_products_seller_id'))
        batch_op.drop_index(batch_op.f('ix_products_category_id'))

    op.drop_table('products')
    with op.batch_alter_table('checkout_sessions', schema=None) as batch_op:
        batch_op.drop_index('uq_checkout_sessions_open_cart', sqlite_where=sa.text("status = 'OPEN'"), postgresql_where=sa.text("status = 'OPEN'"))
        batch_op.drop_index('ix_checkout_sessions_status_expires')
        batch_op.drop_index(batch_op.f('ix_checkout_sessions_cart_id'))
        batch_op.drop_index(batch_op.f('ix_checkout_sessions_buyer_id'))

    op.drop_table('checkout_sessions')
    op.drop_table('sellers')
    with op.batch_alter_table('refresh_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refresh_tokens_user_id'))
        batch_op.drop_index(batch_op.f('ix_refresh_tokens_family'))

    op.drop_table('refresh_tokens')
    with op.batch_alter_table('payment_methods', schema=None) as batch_op:
        batch_op.drop_index('ix_payment_methods_user_token')
        batch_op.drop_index(batch_op.f('ix_payment_methods_user_id'))

    op.drop_table('payment_methods')
    with op.batch_alter_table('loyalty_transactions', schema=None) as batch_op:
        batch_op.drop_index('ix_loyalty_transactions_user_created')

    op.drop_table('loyalty_transactions')
    op.drop_table('loyalty_accounts')
    with op.batch_alter_table('carts', schema=None) as batch_op:
        batch_op.drop_index('uq_carts_live_buyer', sqlite_where=sa.text("status IN ('ACTIVE','CHECKOUT')"), postgresql_where=sa.text("status IN ('ACTIVE','CHECKOUT')"))
        batch_op.drop_index('ix_carts_status_expires')
        batch_op.drop_index(batch_op.f('ix_carts_buyer_id'))

    op.drop_table('carts')
    with op.batch_alter_table('addresses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_addresses_user_id'))

    op.drop_table('addresses')
    op.drop_table('users')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_undispatched')
        batch_op.drop_index('ix_outbox_aggregate')

    op.drop_table('outbox')
    op.drop_table('ledger_accounts')
    op.drop_table('categories')
