"""Jobs over every contact that run in the background (resets, rescores, field-rule syncs)."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class JobStatus(StrEnum):
    RUNNING = "RUNNING"
    DONE = "DONE"


class JobKind(StrEnum):
    RESET = "RESET"
    RESCORE = "RESCORE"
    FIELD_RULE_SYNC = "FIELD_RULE_SYNC"


@dataclass(frozen=True)
class Job:
    id: str
    kind: JobKind
    status: JobStatus
    actor: str
    reason: str
    started_at: datetime
    finished_at: datetime | None
    # Contacts walked so far, out of `total` (counted when the walk started), and changed.
    done: int
    total: int
    affected: int
    # Who walks it: a fresh id at each start or claim, so that a walker that lost it can tell.
    owner: str

    @property
    def progress(self) -> float:
        """0..1"""
        if self.status is JobStatus.DONE or not self.total:
            return 1.0
        return min(1.0, self.done / self.total)


@dataclass(frozen=True)
class ResetJob(Job):
    enable_scoring: bool


@dataclass(frozen=True)
class RescoreJob(Job):
    activities: int
    points_delta: int


@dataclass(frozen=True)
class FieldRuleSyncJob(Job):
    # Rules deleted since the sync started, id -> name: the reasons of the points taken back.
    deleted: Mapping[str, str] = field(default_factory=dict)
    # A rule changed while it walked: it walks every contact once more.
    again: bool = False
