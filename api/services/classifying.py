"""The score a contact is classified by: its total, or the points it earned recently."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from api.db.client import Store
from api.domain.classification import ClassificationBasis, ClassificationSettings


async def recent_points(
    store: Store, settings: ClassificationSettings, contact_ids: Sequence[str] | None
) -> dict[str, int]:
    """Points earned in the last `periodDays` days and since the last reset (None: everyone)."""
    since = datetime.now(UTC) - timedelta(days=settings.period_days)
    last_reset = await store.resets.last_started()
    if last_reset is not None:
        since = max(since, last_reset)
    return await store.ledger.points_since(since, contact_ids)


async def basis_scores(
    store: Store, settings: ClassificationSettings, totals: Sequence[tuple[str, int]]
) -> list[int]:
    """The classification basis of each (contact id, total score), in order."""
    if settings.basis is ClassificationBasis.TOTAL_SCORE:
        return [score for _, score in totals]
    recent = await recent_points(store, settings, [cid for cid, _ in totals])
    return [recent.get(cid, 0) for cid, _ in totals]
