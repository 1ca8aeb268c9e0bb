"""Views' reports kept on write: how a change to one contact moves the counts of each view."""

from collections.abc import Sequence

from api.domain.contacts import Profile
from api.domain.views import CountedView, ScoreView
from api.scoring.views import ReportCounter, holds_profile

# A contact as a view sees it: its score and its profile (None: it does not exist).
Seen = tuple[int, Profile] | None


def member(view: ScoreView, seen: Seen) -> bool:
    return seen is not None and view.condition.holds(seen[0]) and holds_profile(view, seen[1])


def crosses(views: Sequence[CountedView], before: int, after: int) -> bool:
    """Whether a score change can move a contact in or out of any of these views: moves within a
    view's score range change no report."""
    return any(v.view.condition.holds(before) != v.view.condition.holds(after) for v in views)


def counted(view: CountedView, marker: str | None) -> bool:
    """Whether the view's counts hold this contact yet: every contact once its build is done,
    before that only those its build marked."""
    return view.done or marker == view.build


def report_moves(
    views: Sequence[CountedView], before: Seen, after: Seen, marker: str | None
) -> dict[str, ReportCounter]:
    """The changes to each view's report (by view id) when a contact goes from `before` to
    `after`; views it leaves unchanged are left out."""
    moves: dict[str, ReportCounter] = {}
    for view in views:
        if not counted(view, marker):
            continue
        counter = ReportCounter()
        if member(view.view, before):
            assert before is not None
            counter.add(before[1], -1)
        if member(view.view, after):
            assert after is not None
            counter.add(after[1])
        if not counter.is_empty():
            moves[view.view.id] = counter
    return moves
