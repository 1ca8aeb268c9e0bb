"""Recording campaign activities: validated as a whole, scored once each, explained."""

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from api.db.client import Store
from api.domain.activities import Activity, ActivityType
from api.domain.changes import ActivityChange, Change
from api.domain.ledger import RESERVED_KEY_PREFIXES, Entry, EntryKind
from api.domain.workflows import Workflow, WorkflowTrigger
from api.scoring.activities import CAMPAIGN_REQUIRED
from api.scoring.workflows import activity_awards
from api.services.errors import ErrorCode, ServiceError, ServiceFailure
from api.services.validation import MAX_URL, email_problem, normalize_email, text_problem
from api.writes.commit import commit, planner_for

MAX_BATCH = 1000
FUTURE_TOLERANCE = timedelta(minutes=5)
# Older activities are typos or epoch zeros; and every window and expiry stays far from date.min.
EARLIEST_OCCURRED_AT = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ActivityInput:
    contact_email: str
    type: ActivityType
    campaign_id: str | None = None
    url: str | None = None
    occurred_at: datetime | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class ActivityResult:
    contact_id: str
    entry: Entry
    duplicate: bool


def _problems(item: ActivityInput, index: int | None, now: datetime) -> list[ServiceError]:
    checks = [
        email_problem("contactEmail", item.contact_email),
        text_problem("campaignId", item.campaign_id, required=item.type in CAMPAIGN_REQUIRED),
        text_problem("url", item.url, limit=MAX_URL),
        text_problem("idempotencyKey", item.idempotency_key),
    ]
    problems = [p for p in checks if p is not None]
    if item.url and not item.url.startswith(("http://", "https://")):
        problems.append(
            ServiceError("url", "url must start with http:// or https://", ErrorCode.INVALID)
        )
    if item.idempotency_key and item.idempotency_key.startswith(RESERVED_KEY_PREFIXES):
        reserved = " or ".join(f"'{prefix}'" for prefix in RESERVED_KEY_PREFIXES)
        problems.append(
            ServiceError(
                "idempotencyKey",
                f"idempotencyKey must not start with {reserved} (reserved for expiries and resets)",
                ErrorCode.INVALID,
            )
        )
    if item.occurred_at is not None:
        occurred = item.occurred_at
        if occurred.tzinfo is None:
            occurred = occurred.replace(tzinfo=UTC)
        if occurred > now + FUTURE_TOLERANCE:
            problems.append(
                ServiceError("occurredAt", "occurredAt is in the future", ErrorCode.OUT_OF_RANGE)
            )
        elif occurred < EARLIEST_OCCURRED_AT:
            message = f"occurredAt must not be before {EARLIEST_OCCURRED_AT.date()}"
            problems.append(ServiceError("occurredAt", message, ErrorCode.OUT_OF_RANGE))
    if index is None:
        return problems
    return [ServiceError(p.field, p.message, p.code, index) for p in problems]


def _activity(item: ActivityInput, now: datetime) -> Activity:
    occurred = item.occurred_at or now
    return Activity(
        type=item.type,
        campaign_id=(item.campaign_id or "").strip() or None,
        url=item.url or None,
        occurred_at=occurred if occurred.tzinfo else occurred.replace(tzinfo=UTC),
        idempotency_key=item.idempotency_key or uuid.uuid4().hex,
    )


async def record_activities(
    store: Store, items: Sequence[ActivityInput], *, batch: bool = True
) -> list[ActivityResult]:
    """Score the activities in order; nothing is recorded unless every one is valid."""
    if not items:
        raise ServiceFailure([ServiceError("input", "No activities given", ErrorCode.REQUIRED)])
    if len(items) > MAX_BATCH:
        raise ServiceFailure(
            [
                ServiceError(
                    "input",
                    f"At most {MAX_BATCH} activities per call, got {len(items)}",
                    ErrorCode.TOO_MANY,
                )
            ]
        )
    now = datetime.now(UTC)
    problems = [
        p for i, item in enumerate(items) for p in _problems(item, i if batch else None, now)
    ]
    emails = [normalize_email(item.contact_email) for item in items]
    ids = await store.contacts.ids_by_email(sorted(set(emails)))
    for i, email in enumerate(emails):
        if email not in ids and email_problem("contactEmail", email) is None:
            problems.append(
                ServiceError(
                    "contactEmail",
                    f"No contact with email {email}",
                    ErrorCode.NOT_FOUND,
                    i if batch else None,
                )
            )
    if problems:
        raise ServiceFailure(problems)

    activities = [_activity(item, now) for item in items]
    sheet, rules, workflows = await asyncio.gather(
        store.sheet.score_sheet(),
        store.custom_rules.all(),
        store.workflows.active(WorkflowTrigger.ACTIVITY),
    )
    pairs = [(ids[email], activity) for email, activity in zip(emails, activities, strict=True)]
    lists = await _workflow_lists(store, workflows, pairs)
    changes: dict[str, list[Change]] = {}
    for contact_id, activity in pairs:
        awards = activity_awards(workflows, activity, lists.get(contact_id, ()))
        changes.setdefault(contact_id, []).append(ActivityChange(activity, awards))
    outcome = await commit(store, changes, planner_for(sheet, rules))

    fresh = {
        (cid, e.activity.idempotency_key): e
        for cid, entries in outcome.entries.items()
        for e in entries
        if e.activity is not None and e.kind is EntryKind.ACTIVITY
    }
    results = []
    seen: set[tuple[str, str]] = set()
    for email, activity in zip(emails, activities, strict=True):
        key = (ids[email], activity.idempotency_key)
        duplicate = key in seen or key not in fresh
        results.append(
            ActivityResult(ids[email], fresh.get(key) or outcome.duplicates[key], duplicate)
        )
        seen.add(key)
    return results


async def _workflow_lists(
    store: Store, workflows: Sequence[Workflow], pairs: Sequence[tuple[str, Activity]]
) -> dict[str, list[str]]:
    """Mailing lists of the contacts whose activities trigger a workflow (for its list only):
    read only when some workflow reacts, once for the whole request."""
    ids = [cid for cid, activity in pairs if any(w.reacts_to(activity) for w in workflows)]
    return await store.contacts.mailing_lists(ids) if ids else {}
