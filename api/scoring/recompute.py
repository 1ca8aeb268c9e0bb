"""What a contact's score would be if its stored history were scored under other rules.

Pure. The history since the last reset is planned again, in order, by the planner itself:
  - activities are scored afresh under the sheet and custom rules given (unique/multiple
    counting, the negative switch, custom rules once per contact, rule and campaign with the
    campaigns' opt-outs); an activity recorded while scoring was paused still earns no sheet
    points (a rescore re-prices activities, it does not undo a pause);
  - custom-rule entries come again from their activities, and earlier RESCORE entries are
    replaced by this one;
  - a score set by hand keeps its meaning: the score is what the person set at that point, and
    what follows adds to it;
  - every other entry (field rules, expiry, ...) keeps its points.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from api.domain.changes import ActivityChange, Change, ScoreSet
from api.domain.contacts import ContactState
from api.domain.ledger import Entry, EntryKind
from api.domain.rules import CustomRule
from api.domain.sheet import ScoreSheet
from api.scoring.planner import plan, replay


@dataclass(frozen=True)
class Recomputed:
    contact_id: str
    # The last entry read: the state below is the contact's as of this sequence number.
    seq: int
    score: int
    occurrences: dict[str, int]
    rescored: int
    rescored_occurrences: dict[str, int]
    # Activities scored again.
    activities: int = 0

    @property
    def delta(self) -> int:
        return self.rescored - self.score

    @property
    def changed(self) -> bool:
        """Whether a rescore has anything to write: the score, or counters a rule change moved."""
        return self.delta != 0 or self.occurrences != self.rescored_occurrences


@dataclass
class _Replanning:
    contact_id: str
    sheet: ScoreSheet
    rules: Sequence[CustomRule]
    now: datetime
    state: ContactState = field(init=False)
    run: list[Change] = field(default_factory=list)
    run_paused: bool = False

    def __post_init__(self) -> None:
        self.state = ContactState(self.contact_id, 0, 0)

    def replan(self, change: Change, paused: bool) -> None:
        if self.run and paused != self.run_paused:
            self.flush()
        self.run_paused = paused
        self.run.append(change)

    def keep(self, points: int) -> None:
        self.flush()
        self.state.score += points

    def flush(self) -> None:
        if self.run:
            sheet = self.sheet.with_changes(enabled=not self.run_paused)
            _, self.state = plan(self.state, self.run, sheet, self.now, self.rules)
            self.run = []


def since_last_reset(entries: Sequence[Entry]) -> Sequence[Entry]:
    for index in range(len(entries) - 1, -1, -1):
        if entries[index].kind is EntryKind.RESET:
            return entries[index + 1 :]
    return entries


def recompute(
    entries: Sequence[Entry], sheet: ScoreSheet, rules: Sequence[CustomRule], now: datetime
) -> Recomputed:
    """One contact's timeline (oldest first, at least one entry) scored under `sheet` and `rules`.

    Scoring being paused or not in `sheet` is ignored: each activity keeps its own."""
    last = entries[-1]
    current = since_last_reset(entries)
    replanning = _Replanning(last.contact_id, sheet, rules, now)
    activities = 0
    for entry in current:
        if entry.kind is EntryKind.ACTIVITY and entry.activity is not None:
            activities += 1
            replanning.replan(ActivityChange(entry.activity), entry.paused)
        elif entry.kind is EntryKind.MANUAL:
            set_to = ScoreSet(entry.total_after, entry.reason, entry.actor or "")
            replanning.replan(set_to, replanning.run_paused)
        elif entry.kind is EntryKind.RESCORE or (
            entry.kind is EntryKind.RULE and entry.activity is not None
        ):
            continue  # replaced: custom-rule points come again from their activity
        else:
            replanning.keep(entry.points)
    replanning.flush()
    as_is = replay(ContactState(last.contact_id, 0, 0), current)
    return Recomputed(
        contact_id=last.contact_id,
        seq=last.seq,
        score=last.total_after,
        occurrences=as_is.occurrences,
        rescored=replanning.state.score,
        rescored_occurrences=replanning.state.occurrences,
        activities=activities,
    )
