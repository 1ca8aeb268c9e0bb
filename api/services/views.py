"""Score-based views: validated definitions, their contacts, their report, who enters and leaves."""

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from api.db.client import Store
from api.db.contact_docs import ContactQuery
from api.domain.contacts import ContactRecord
from api.domain.ledger import Entry, EntryKind
from api.domain.views import PeriodKind, ScoreConditionKind, ScoreView, ViewChange, ViewReport
from api.scoring.views import (
    EARLIEST_DAY,
    LATEST_DAY,
    MAX_CRITERIA,
    MAX_MAILING_LISTS,
    MAX_PERIOD_DAYS,
    SCORE_LIMIT,
    ReportCounter,
    holds_profile,
)
from api.services.conditions import conditions_problems
from api.services.errors import ErrorCode, ServiceError, ServiceFailure
from api.services.score_counts import count, score_page
from api.services.validation import name_problem, text_problem

SCAN_PAGE = 500


def _condition_problems(view: ScoreView) -> list[ServiceError]:
    condition = view.condition
    needs = {
        ScoreConditionKind.AT_LEAST: ("min",),
        ScoreConditionKind.AT_MOST: ("max",),
        ScoreConditionKind.BETWEEN: ("min", "max"),
    }[condition.kind]
    problems = []
    for name in needs:
        value = getattr(condition, name)
        if value is None:
            message = f"{condition.kind.value} needs {name}"
            problems.append(ServiceError(f"scoreCondition.{name}", message, ErrorCode.REQUIRED))
        elif not -SCORE_LIMIT <= value <= SCORE_LIMIT:
            message = f"{name} must be between {-SCORE_LIMIT} and {SCORE_LIMIT}"
            problems.append(ServiceError(f"scoreCondition.{name}", message, ErrorCode.OUT_OF_RANGE))
    low, high = condition.low, condition.high
    if not problems and low is not None and high is not None and low > high:
        message = "min must not be above max"
        problems.append(ServiceError("scoreCondition.min", message, ErrorCode.INVALID))
    return problems


def _period_problems(view: ScoreView) -> list[ServiceError]:
    period = view.period
    if period.kind is PeriodKind.LAST_DAYS:
        if period.days is None:
            return [ServiceError("period.days", "LAST_DAYS needs days", ErrorCode.REQUIRED)]
        if not 1 <= period.days <= MAX_PERIOD_DAYS:
            message = f"days must be between 1 and {MAX_PERIOD_DAYS}"
            return [ServiceError("period.days", message, ErrorCode.OUT_OF_RANGE)]
    if period.kind is PeriodKind.DATE_RANGE:
        missing = [name for name in ("start", "end") if getattr(period, name) is None]
        if missing:
            return [
                ServiceError(f"period.{name}", f"DATE_RANGE needs {name}", ErrorCode.REQUIRED)
                for name in missing
            ]
        problems = [
            ServiceError(
                f"period.{name}",
                f"{name} must be between {EARLIEST_DAY} and {LATEST_DAY}, got {day}",
                ErrorCode.OUT_OF_RANGE,
            )
            for name, day in (("start", period.start), ("end", period.end))
            if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY
        ]
        if problems:
            return problems
        if period.start and period.end and period.start > period.end:
            return [ServiceError("period.end", "end is before start", ErrorCode.INVALID)]
    return []


def _view_problems(view: ScoreView) -> list[ServiceError]:
    problems = [p for p in [text_problem("name", view.name, required=True)] if p]
    problems += _condition_problems(view) + _period_problems(view)
    if len(view.criteria) > MAX_CRITERIA:
        message = f"At most {MAX_CRITERIA} criteria"
        problems.append(ServiceError("criteria", message, ErrorCode.TOO_MANY))
    problems += conditions_problems(view.criteria, "criteria")
    if len(view.mailing_lists) > MAX_MAILING_LISTS:
        message = f"At most {MAX_MAILING_LISTS} mailing lists"
        problems.append(ServiceError("mailingLists", message, ErrorCode.TOO_MANY))
    for i, name in enumerate(view.mailing_lists):
        problem = text_problem(f"mailingLists.{i}", name, required=True)
        if problem:
            problems.append(problem)
    return problems


def _cleaned(view: ScoreView) -> ScoreView:
    """Trimmed, lists sorted once each, and the period without the fields its kind ignores."""
    lists = tuple(sorted({name.strip() for name in view.mailing_lists}))
    period = view.period
    period = replace(
        period,
        days=period.days if period.kind is PeriodKind.LAST_DAYS else None,
        start=period.start if period.kind is PeriodKind.DATE_RANGE else None,
        end=period.end if period.kind is PeriodKind.DATE_RANGE else None,
    )
    return replace(view, name=view.name.strip(), mailing_lists=lists, period=period)


async def create_view(store: Store, view: ScoreView, actor: str) -> ScoreView:
    problems = _view_problems(view) or await name_problem(store.views, view.name, None, "view")
    if problems:
        raise ServiceFailure(problems)
    view = _cleaned(view)
    return replace(view, id=await store.views.create(view, actor))


async def update_view(store: Store, view: ScoreView) -> ScoreView:
    problems = _view_problems(view) or await name_problem(store.views, view.name, view.id, "view")
    if problems:
        raise ServiceFailure(problems)
    view = _cleaned(view)
    if not await store.views.replace(view):
        raise ServiceFailure([not_found(view.id)])
    return view


async def delete_view(store: Store, view_id: str) -> None:
    if not await store.views.delete(view_id):
        raise ServiceFailure([not_found(view_id)])
    await store.notifications.delete(view_id)
    await store.view_counts.drop([view_id])


def not_found(view_id: str, field: str = "id") -> ServiceError:
    return ServiceError(field, f"No view with id {view_id}", ErrorCode.NOT_FOUND)


async def _window(store: Store, view: ScoreView, now: datetime) -> tuple[datetime, datetime] | None:
    """The view's scoring window, starting no earlier than the last reset."""
    window = view.period.window(now)
    if window is None:
        return None
    last_reset = await store.resets.last_started()
    since, until = window
    return (max(since, last_reset) if last_reset else since), until


async def _query(store: Store, view: ScoreView) -> ContactQuery:
    """The contacts query for the score and the lists; criteria are checked per contact."""
    lists = list(view.mailing_lists) or None
    window = await _window(store, view, datetime.now(UTC))
    if window is None:
        condition = view.condition
        return ContactQuery(
            min_score=condition.low, max_score=condition.high, any_mailing_list=lists
        )
    points = await store.ledger.points_since(window[0], None, until=window[1])
    query = ContactQuery(any_mailing_list=lists)
    inside = {cid for cid, earned in points.items() if view.condition.holds(earned)}
    if view.condition.holds(0):
        # Contacts that earned nothing in the window qualify too: exclude the others.
        query.exclude_ids = {cid for cid in points if cid not in inside}
    else:
        query.ids = inside
    return query


@dataclass(frozen=True)
class ViewSelection:
    """A view's contacts as of now: a contacts query for the score (or the period's points) and
    the lists, with the criteria checked per contact. Made once by `select`, asked several
    things (the period's points are summed from the ledger only once)."""

    store: Store
    view: ScoreView
    query: ContactQuery

    async def page(
        self, first: int, after: tuple[int, str] | None
    ) -> tuple[list[ContactRecord], bool]:
        """Contacts in the view, highest score first; the flag says whether more follow."""
        store, view = self.store, self.view
        if not view.criteria:
            return await score_page(store, self.query, first, True, after)
        found: list[ContactRecord] = []
        while True:
            records, more = await score_page(store, self.query, SCAN_PAGE, True, after)
            for record in records:
                if holds_profile(view, record.profile()):
                    found.append(record)
                    if len(found) > first:
                        return found[:first], True
            if not more:
                return found, False
            after = (records[-1].score, records[-1].id)

    async def members(self) -> AsyncIterator[ContactRecord]:
        """Every contact in the view, streamed in no particular order."""
        async for record in self.store.contacts.scan(self.query):
            if holds_profile(self.view, record.profile()):
                yield record

    async def count(self) -> int:
        if counted_kind(self.view) and (self.view.criteria or self.view.mailing_lists):
            kept = await self.store.view_counts.read(self.view)
            if kept is not None:
                return kept.total
        if not self.view.criteria:
            return await count(self.store, self.query)
        return sum([1 async for _ in self.members()])

    async def report(self) -> ViewReport:
        """Kept on write when the view is counted and built for its definition; else counted."""
        if counted_kind(self.view):
            kept = await self.store.view_counts.read(self.view)
            if kept is not None:
                return kept
        counter = ReportCounter()
        async for record in self.members():
            counter.add(record.profile())
        return counter.report()


def valid(view: ScoreView) -> bool:
    return not _view_problems(view)


def counted_kind(view: ScoreView) -> bool:
    """Whether the view's report is kept on write (api/services/view_counts.py): a view over a
    period changes with time, not only with writes."""
    return view.period.kind is PeriodKind.ALL_TIME


def check_stored(view: ScoreView) -> None:
    """Refuse to compute a view stored before today's checks and invalid by them; only that view
    fails, and its owner is told how to mend it."""
    problems = _view_problems(view)
    if problems:
        details = "; ".join(f"{p.field}: {p.message}" for p in problems)
        message = f"View '{view.name}' cannot be computed ({details}); edit it to fix this"
        raise ServiceFailure([ServiceError(None, message, ErrorCode.INVALID)])


async def select(store: Store, view: ScoreView) -> ViewSelection:
    check_stored(view)
    return ViewSelection(store, view, await _query(store, view))


async def view_change(
    store: Store, view: ScoreView, contact: ContactRecord, entry: Entry, previous_score: int
) -> ViewChange | None:
    """Whether a timeline entry made its contact enter or leave the view."""
    if not valid(view) or not holds_profile(view, contact.profile()):
        return None
    before, after = previous_score, entry.total_after
    window = await _window(store, view, datetime.now(UTC))
    if window is not None:
        since, until = window
        earned = store.ledger.points_since
        if entry.kind is EntryKind.RESET:
            # The window now starts at the reset: what counted before it counts no more.
            before_reset = view.period.window(entry.at)
            assert before_reset is not None
            old = await earned(before_reset[0], [contact.id], until=entry.at)
            before, after = old.get(contact.id, 0), 0
        else:
            now = (await earned(since, [contact.id], until=until)).get(contact.id, 0)
            counted = entry.points if since <= entry.earned_at < until else 0
            before, after = now - counted, now
    was, now_in = view.condition.holds(before), view.condition.holds(after)
    if was == now_in:
        return None
    return ViewChange.ENTERED if now_in else ViewChange.LEFT
