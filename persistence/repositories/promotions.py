"""Promotion codes and their use by buyers.

A use is held by a placed order (docs/rules.md, "Money rules"): `reserve_use` takes it with
conditional updates (the total on `promotions.times_used`, the buyer's on
`promotion_customer_uses.uses`) and writes the order's usage row only once both succeeded;
`release_use` gives it back once (the usage row's DELETE is the guard)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import delete, insert, or_, select, update

from domain.promotions.codes import Promotion
from persistence.repositories.base import Repository
from persistence.tables import promotion_customer_uses, promotion_usages, promotions


def to_promotion(row: Any) -> Promotion:
    return Promotion(
        code=row.code, kind=row.kind, value=row.value, description=row.description,
        currency=row.currency, min_subtotal_minor=row.min_subtotal_minor,
        starts_at=row.starts_at, ends_at=row.ends_at, usage_limit=row.usage_limit,
        per_customer_limit=row.per_customer_limit, times_used=row.times_used,
        active=bool(row.active), seller_id=row.seller_id)


class PromotionRepository(Repository):
    async def by_code(self, code: str) -> Promotion | None:
        row = (await self.conn.execute(
            select(promotions).where(promotions.c.code == code))).first()
        return to_promotion(row) if row else None

    async def customer_uses(self, code: str, buyer_id: int) -> int:
        return (await self.customer_uses_many([code], buyer_id)).get(code, 0)

    async def customer_uses_many(self, codes: Sequence[str], buyer_id: int) -> dict[str, int]:
        if not codes:
            return {}
        uses = promotion_customer_uses
        rows = (await self.conn.execute(
            select(promotions.c.code, uses.c.uses)
            .join(uses, uses.c.promotion_id == promotions.c.id)
            .where(promotions.c.code.in_(codes), uses.c.buyer_id == buyer_id))).all()
        return {code: int(n) for code, n in rows}

    async def offered(self, now: datetime, seller_ids: Sequence[int]) -> list[Promotion]:
        """Active codes within their window: platform codes and codes of these sellers."""
        rows = (await self.conn.execute(
            select(promotions).where(
                promotions.c.active.is_(True),
                or_(promotions.c.starts_at.is_(None), promotions.c.starts_at <= now),
                or_(promotions.c.ends_at.is_(None), promotions.c.ends_at > now),
                or_(promotions.c.usage_limit.is_(None),
                    promotions.c.times_used < promotions.c.usage_limit),
                or_(promotions.c.seller_id.is_(None), promotions.c.seller_id.in_(seller_ids)),
            ).order_by(promotions.c.code))).all()
        return [to_promotion(r) for r in rows]

    async def create(self, promotion: Promotion, *, created_by: int,
                     now: datetime) -> Promotion | None:
        """None when the code is taken (also by a concurrent create: ON CONFLICT DO NOTHING,
        never a unique-violation fault)."""
        row = (await self.conn.execute(self.upsert(promotions).values(
            code=promotion.code, description=promotion.description, kind=str(promotion.kind),
            value=promotion.value, currency=promotion.currency,
            min_subtotal_minor=promotion.min_subtotal_minor, starts_at=promotion.starts_at,
            ends_at=promotion.ends_at, usage_limit=promotion.usage_limit,
            per_customer_limit=promotion.per_customer_limit, times_used=0, active=True,
            seller_id=promotion.seller_id, created_by=created_by, created_at=now)
            .on_conflict_do_nothing(index_elements=[promotions.c.code])
            .returning(promotions.c.id))).first()
        return promotion if row is not None else None

    async def code_exists(self, code: str) -> bool:
        return (await self.conn.execute(
            select(promotions.c.id).where(promotions.c.code == code))).first() is not None

    async def deactivate(self, code: str) -> Promotion | None:
        row = (await self.conn.execute(
            update(promotions).where(promotions.c.code == code).values(active=False)
            .returning(*promotions.c))).first()
        return to_promotion(row) if row else None

    async def managed(self, seller_id: int | None) -> list[Promotion]:
        """A seller's own codes, or every code (seller_id None: admin)."""
        stmt = select(promotions).order_by(promotions.c.created_at.desc(), promotions.c.id.desc())
        if seller_id is not None:
            stmt = stmt.where(promotions.c.seller_id == seller_id)
        return [to_promotion(r) for r in (await self.conn.execute(stmt)).all()]

    async def reserve_use(self, code: str, buyer_id: int, order_id: int,
                          now: datetime) -> str | None:
        """Take one use of an active code for this order: None when taken, else why not
        (USAGE_LIMIT_REACHED, CUSTOMER_LIMIT_REACHED; the caller rolls back what was
        written)."""
        taken = (await self.conn.execute(
            update(promotions).where(promotions.c.code == code, promotions.c.active.is_(True),
                                     or_(promotions.c.usage_limit.is_(None),
                                         promotions.c.times_used < promotions.c.usage_limit))
            .values(times_used=promotions.c.times_used + 1)
            .returning(promotions.c.id, promotions.c.per_customer_limit))).first()
        if taken is None:
            return "USAGE_LIMIT_REACHED"
        promotion_id, limit = taken
        uses = promotion_customer_uses
        stmt = self.upsert(uses).values(promotion_id=promotion_id, buyer_id=buyer_id, uses=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=[uses.c.promotion_id, uses.c.buyer_id],
            set_={"uses": uses.c.uses + 1},
            where=None if limit is None else uses.c.uses < limit)
        if (await self.conn.execute(stmt.returning(uses.c.uses))).first() is None:
            return "CUSTOMER_LIMIT_REACHED"
        await self.conn.execute(insert(promotion_usages).values(
            promotion_id=promotion_id, buyer_id=buyer_id, order_id=order_id, created_at=now))
        return None

    async def release_use(self, order_id: int) -> bool:
        """Give back the use an order holds (once: False when it holds none)."""
        row = (await self.conn.execute(
            delete(promotion_usages).where(promotion_usages.c.order_id == order_id)
            .returning(promotion_usages.c.promotion_id, promotion_usages.c.buyer_id))).first()
        if row is None:
            return False
        promotion_id, buyer_id = row
        await self.conn.execute(
            update(promotions).where(promotions.c.id == promotion_id,
                                     promotions.c.times_used > 0)
            .values(times_used=promotions.c.times_used - 1))
        uses = promotion_customer_uses
        await self.conn.execute(
            update(uses).where(uses.c.promotion_id == promotion_id, uses.c.buyer_id == buyer_id,
                               uses.c.uses > 0)
            .values(uses=uses.c.uses - 1))
        return True
