"""What may happen to a contact's score: the changes the planner turns into ledger entries."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from api.domain.activities import Activity
from api.domain.ledger import Entry, expiry_key
from api.domain.workflows import WorkflowAward


@dataclass(frozen=True)
class ActivityChange:
    activity: Activity
    # Workflows this activity triggers for its contact: part of the change, so that a retried
    # activity (a duplicate) triggers nothing either.
    workflows: tuple[WorkflowAward, ...] = ()


@dataclass(frozen=True)
class ScoreSet:
    score: int
    reason: str
    actor: str


@dataclass(frozen=True)
class ResetChange:
    reason: str
    actor: str
    # The RESET entry's idempotency key (one per contact and reset job), if any.
    key: str | None = None
    # The reset generation it starts (the reset job's id), if any.
    generation: str | None = None


@dataclass(frozen=True)
class FieldRulesSync:
    """Bring a contact's field-rule points to what it matches now: rule id -> (points, name)."""

    awards: dict[str, tuple[int, str]]
    # Every rule's name, deleted ones included, for the reasons of points taken back.
    names: dict[str, str] = field(default_factory=dict)
    deleted: frozenset[str] = frozenset()
    # Rules whose points expire: rule id -> days.
    expiry: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Rescore:
    """Bring a contact to the score and occurrence counters recomputed from its history.

    `based_on_seq` is the last entry the recomputation read: a contact that moved on since gets
    nothing planned, and the caller recomputes it from its newer history.
    """

    score: int
    occurrences: Mapping[str, int]
    reason: str
    actor: str
    based_on_seq: int


@dataclass(frozen=True)
class PointsExpiry:
    """Take back the points of an earlier entry whose time ran out (once: see `key`)."""

    expired: Entry

    @property
    def key(self) -> str:
        return expiry_key(self.expired.id)


Change = (
    ActivityChange
    | ScoreSet
    | ResetChange
    | FieldRulesSync
    | Rescore
    | WorkflowAward
    | PointsExpiry
)
