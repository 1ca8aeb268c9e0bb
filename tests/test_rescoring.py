"""Recomputing a contact's history under other rules: pure, planned by the planner itself."""

import itertools
from datetime import UTC, datetime

from api.domain.activities import Activity, ActivityType
from api.domain.changes import (
    ActivityChange,
    Change,
    FieldRulesSync,
    Rescore,
    ResetChange,
    ScoreSet,
)
from api.domain.contacts import ContactState
from api.domain.ledger import Entry
from api.domain.rules import CustomRule
from api.domain.sheet import ScoreSheet, SheetEntry
from api.scoring.planner import plan, replay
from api.scoring.recompute import recompute

NOW = datetime(2026, 11, 24, tzinfo=UTC)
DOUBLE_OPENS = ScoreSheet().with_changes({SheetEntry.UNIQUE_OPEN: 20, SheetEntry.MULTIPLE_OPEN: 40})


KEYS = itertools.count()


def act(kind: ActivityType, campaign: str | None = "a", url: str | None = None) -> ActivityChange:
    return ActivityChange(Activity(kind, campaign, url, NOW, f"k{next(KEYS)}"))


class History:
    """A contact's timeline built by the planner, as the ledger would hold it."""

    def __init__(self) -> None:
        self.state = ContactState("c", 0, 0)
        self.entries: list[Entry] = []

    def add(self, changes: list[Change], sheet: ScoreSheet | None = None, rules=()) -> "History":
        entries, self.state = plan(self.state, changes, sheet or ScoreSheet(), NOW, rules)
        self.entries += entries
        return self


def test_a_sheet_change_rescores_activities_in_order():
    opens = [act(ActivityType.OPEN, "a") for _ in range(4)] + [act(ActivityType.OPEN, "b")]
    history = History().add(opens)
    assert history.state.score == 10 + 20 + 10
    result = recompute(history.entries, DOUBLE_OPENS, [], NOW)
    assert (result.score, result.rescored, result.delta) == (40, 80, 40)
    assert result.seq == history.state.seq and result.activities == 5
    # Counting is unchanged: the same activities advance the same counters.
    assert result.rescored_occurrences == result.occurrences == history.state.occurrences
    unchanged = recompute(history.entries, ScoreSheet(), [], NOW)
    assert not unchanged.changed


def test_the_negative_switch_applies_to_the_whole_history():
    history = History().add([act(ActivityType.UNSUBSCRIBE), act(ActivityType.OPEN, "b")])
    assert history.state.score == 10
    negative = ScoreSheet(negative_scoring_enabled=True)
    assert recompute(history.entries, negative, [], NOW).rescored == -10


def test_a_new_custom_rule_fires_once_per_campaign_except_opted_out_ones():
    clicks = [
        act(ActivityType.CLICK, "a", "https://x.io/pricing"),
        act(ActivityType.CLICK, "a", "https://x.io/pricing"),
        act(ActivityType.CLICK, "b", "https://x.io/pricing"),
        act(ActivityType.CLICK, "internal", "https://x.io/pricing"),
    ]
    history = History().add(clicks)
    rule = CustomRule(
        "r1", "Pricing", 15, url_contains="/pricing", excluded_campaigns=("internal",)
    )
    result = recompute(history.entries, ScoreSheet(), [rule], NOW)
    assert result.delta == 30
    assert result.rescored_occurrences != result.occurrences  # the rule's counters are new
    # Once rescored, activities of those campaigns do not fire the rule again.
    state = _rescored(history, result)
    click = act(ActivityType.CLICK, "b", "https://x.io/pricing")
    later, _ = plan(state, [click], ScoreSheet(), NOW, [rule])
    assert [(e.kind.value, e.points) for e in later] == [("ACTIVITY", 0)]  # a 2nd click, no rule


def test_deleted_or_changed_custom_rules_are_taken_back_or_adjusted():
    rule = CustomRule("r1", "Pricing", 15, activity_type=ActivityType.CLICK)
    history = History().add(
        [act(ActivityType.CLICK, "a"), act(ActivityType.CLICK, "b")], rules=[rule]
    )
    assert history.state.score == 10 + 15 + 10 + 15
    assert recompute(history.entries, ScoreSheet(), [], NOW).rescored == 20
    worth_more = CustomRule("r1", "Pricing", 25, activity_type=ActivityType.CLICK)
    assert recompute(history.entries, ScoreSheet(), [worth_more], NOW).rescored == 70


def test_paused_activities_stay_unscored_but_custom_rules_scored_them():
    rule = CustomRule("r1", "Any reply", 5, activity_type=ActivityType.REPLY)
    history = History().add([act(ActivityType.REPLY, "a")], ScoreSheet(enabled=False), [rule])
    history.add([act(ActivityType.REPLY, "b")], rules=[rule])
    assert history.state.score == 5 + 20 + 5
    doubled = ScoreSheet().with_changes({SheetEntry.UNIQUE_REPLY: 40})
    result = recompute(history.entries, doubled.with_changes(enabled=False), [rule], NOW)
    assert result.rescored == 5 + 40 + 5  # the paused reply still earns nothing from the sheet


def test_manual_scores_keep_their_meaning_and_field_rules_their_points():
    history = History().add([act(ActivityType.OPEN, "a")])
    history.add([FieldRulesSync({"f1": (25, "Indian customers")})])
    history.add([ScoreSet(100, "Score set by hand to 100: VIP", "ann")])
    history.add([act(ActivityType.OPEN, "b")])
    history.add([FieldRulesSync({"f1": (25, "Indian customers"), "f2": (7, "Big")})])
    assert history.state.score == 100 + 10 + 7
    # The opens before the manual score no longer matter; the one after it doubles.
    assert recompute(history.entries, DOUBLE_OPENS, [], NOW).rescored == 100 + 20 + 7


def test_history_before_the_last_reset_is_ignored():
    history = History().add([act(ActivityType.OPEN, "a"), act(ActivityType.OPEN, "b")])
    history.add([ResetChange("new quarter", "ann")])
    history.add([act(ActivityType.OPEN, "c")])
    result = recompute(history.entries, DOUBLE_OPENS, [], NOW)
    assert (result.score, result.rescored, result.activities) == (10, 20, 1)
    just_reset = recompute(history.entries[:3], DOUBLE_OPENS, [], NOW)
    assert (just_reset.score, just_reset.rescored, just_reset.changed) == (0, 0, False)


def test_a_rescore_entry_is_replaced_by_the_next_rescore_and_replays():
    history = History().add([act(ActivityType.OPEN, "a"), act(ActivityType.OPEN, "a")])
    rule = CustomRule("r1", "Opens", 3, activity_type=ActivityType.OPEN)
    result = recompute(history.entries, DOUBLE_OPENS, [rule], NOW)
    state = _rescored(history, result)
    assert state.score == 23 and history.entries[-1].points == 13
    # Nothing left to do under the same rules; back to the old ones, the score returns.
    assert not recompute(history.entries, DOUBLE_OPENS, [rule], NOW).changed
    back = recompute(history.entries, ScoreSheet(), [], NOW)
    assert (back.score, back.rescored) == (23, 10)
    # A state rebuilt from the ledger takes the counters the rescore set.
    rebuilt = replay(ContactState("c", 0, 0), history.entries)
    assert rebuilt.occurrences == state.occurrences


def test_a_rescore_based_on_an_older_state_plans_nothing():
    history = History().add([act(ActivityType.OPEN, "a")])
    result = recompute(history.entries, DOUBLE_OPENS, [], NOW)
    history.add([act(ActivityType.OPEN, "b")])  # arrived after the recomputation read
    change = Rescore(result.rescored, result.rescored_occurrences, "r", "ann", result.seq)
    entries, state = plan(history.state, [change], ScoreSheet(), NOW)
    assert entries == [] and state.score == 20


def _rescored(history: History, result) -> ContactState:
    change = Rescore(result.rescored, result.rescored_occurrences, "rules", "ann", result.seq)
    history.add([change])
    assert history.entries[-1].kind.value == "RESCORE"
    return history.state
