"""The scoring rules as pure functions: the seeds' worked examples, pause, negative scoring."""

from datetime import UTC, datetime

import pytest

from api.domain.activities import Activity, ActivityType
from api.domain.changes import ActivityChange, ScoreSet
from api.domain.classification import ClassificationSettings, ContactClass
from api.domain.contacts import ContactState
from api.domain.sheet import ScoreSheet, SheetEntry
from api.scoring.classification import validation_problems
from api.scoring.planner import plan
from api.scoring.sheet import out_of_range

NOW = datetime(2026, 11, 24, tzinfo=UTC)


def activity(kind: ActivityType, campaign: str | None = "c1", key: str = "k") -> ActivityChange:
    return ActivityChange(Activity(kind, campaign, None, NOW, key))


def totals(changes, sheet=None, state=None) -> list[int]:
    entries, _ = plan(state or ContactState("c", 0, 0), changes, sheet or ScoreSheet(), NOW)
    return [e.total_after for e in entries]


def test_clicks_give_10_10_40_40_40():
    clicks = [activity(ActivityType.CLICK, key=str(i)) for i in range(5)]
    assert totals(clicks) == [10, 10, 40, 40, 40]


def test_opens_count_per_campaign():
    changes = [
        activity(ActivityType.OPEN, "a"),
        activity(ActivityType.OPEN, "b"),
        activity(ActivityType.OPEN, "a"),
        activity(ActivityType.OPEN, "a"),
    ]
    assert totals(changes) == [10, 20, 20, 40]


def test_sheet_edits_are_prospective():
    first, state = plan(
        ContactState("c", 0, 0), [activity(ActivityType.OPEN, "a")], ScoreSheet(), NOW
    )
    edited = ScoreSheet().with_changes({SheetEntry.UNIQUE_OPEN: 20})
    second, _ = plan(state, [activity(ActivityType.OPEN, "b")], edited, NOW)
    assert [first[0].total_after, second[0].total_after] == [10, 30]


def test_pause_awards_nothing_but_still_counts_occurrences():
    paused = ScoreSheet(enabled=False)
    entries, state = plan(ContactState("c", 50, 3), [activity(ActivityType.OPEN)], paused, NOW)
    assert entries[0].points == 0 and "paused" in entries[0].reason
    assert state.score == 50 and state.seq == 4
    later, _ = plan(
        state, [activity(ActivityType.OPEN), activity(ActivityType.OPEN)], ScoreSheet(), NOW
    )
    assert [e.points for e in later] == [0, 20]


def test_negative_entries_need_the_switch():
    changes = [activity(ActivityType.UNSUBSCRIBE), activity(ActivityType.NEGATIVE_REPLY, "c2")]
    assert totals(changes, state=ContactState("c", 100, 0)) == [100, 100]
    on = ScoreSheet(negative_scoring_enabled=True)
    assert totals(changes, on, ContactState("c", 100, 0)) == [80, 60]


def test_negative_floor_is_minus_50():
    assert out_of_range({SheetEntry.UNSUBSCRIBE: -50}) == []
    assert out_of_range({SheetEntry.UNSUBSCRIBE: -51}) == [(SheetEntry.UNSUBSCRIBE, -50, 0)]
    assert out_of_range({SheetEntry.UNSUBSCRIBE: 5}) == [(SheetEntry.UNSUBSCRIBE, -50, 0)]
    assert out_of_range({SheetEntry.UNIQUE_OPEN: 101}) == [(SheetEntry.UNIQUE_OPEN, 0, 100)]


def test_once_only_activities():
    changes = [
        activity(ActivityType.WEBSITE_SUBSCRIBE, None),
        activity(ActivityType.WEBSITE_SUBSCRIBE, None),
        activity(ActivityType.REFER_FRIEND, None),
        activity(ActivityType.REFER_FRIEND, None),
        activity(ActivityType.POSITIVE_REPLY),
        activity(ActivityType.POSITIVE_REPLY),
    ]
    assert totals(changes) == [20, 20, 50, 80, 120, 120]


def test_manual_score_set_records_the_difference():
    entries, state = plan(ContactState("c", 70, 2), [ScoreSet(25, "why", "ann")], ScoreSheet(), NOW)
    assert (entries[0].points, entries[0].total_after, state.score) == (-45, 25, 25)


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (-10, ContactClass.GETTING_STARTED),
        (39, ContactClass.GETTING_STARTED),
        (40, ContactClass.PROGRESSING),
        (99, ContactClass.PROGRESSING),
        (100, ContactClass.MOST_ENGAGED),
        (1000, ContactClass.MOST_ENGAGED),
    ],
)
def test_classification_bands(score, expected):
    assert (
        ClassificationSettings(most_engaged_min=100, progressing_min=40).classify(score) is expected
    )


def test_classification_validation():
    assert validation_problems(ClassificationSettings(most_engaged_min=50, progressing_min=50))
    assert validation_problems(ClassificationSettings(period_days=0))
    assert not validation_problems(ClassificationSettings())
