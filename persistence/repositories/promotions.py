"""Promotion codes and their use by buyers."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import func, insert, or_, select, update

from domain.promotions import Promotion
from persistence.repositories.base import Repository
from persistence.tables import promotion_usages, promotions


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
        rows = (await self.conn.execute(
            select(promotions.c.code, func.count(promotion_usages.c.id))
            .join(promotion_usages, promotion_usages.c.promotion_id == promotions.c.id)
            .where(promotions.c.code.in_(codes), promotion_usages.c.buyer_id == buyer_id)
            .group_by(promotions.c.code))).all()
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

    async def record_use(self, code: str, buyer_id: int, order_id: int, now: datetime) -> bool:
        """Count one paid use. The total limit is kept by a conditional increment (False when
        it was already reached by concurrent orders; the use is still recorded for the
        per-customer count, since this order was priced while the code was valid)."""
        promotion_id = (await self.conn.execute(
            select(promotions.c.id).where(promotions.c.code == code))).scalar()
        if promotion_id is None:
            return False
        result = await self.conn.execute(
            update(promotions).where(promotions.c.id == promotion_id,
                                     or_(promotions.c.usage_limit.is_(None),
                                         promotions.c.times_used < promotions.c.usage_limit))
            .values(times_used=promotions.c.times_used + 1))
        await self.conn.execute(insert(promotion_usages).values(
            promotion_id=promotion_id, buyer_id=buyer_id, order_id=order_id, created_at=now))
        return result.rowcount == 1
