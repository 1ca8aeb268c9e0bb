"""Rescoring: the current score sheet and custom rules applied to every contact's stored history.

Edits to the sheet and the rules are prospective; a rescore is how an admin applies them to the
past. It runs in the background like a reset (api/jobs/heartbeat.py): contacts in id order,
a chunk at a time, progress and a heartbeat in its `rescores` document, resumed by another process
if its own dies. A contact whose score or counters would change gets one RESCORE entry through the
normal commit. The change carries the sequence number its recomputation read up to: if the contact
moved on meanwhile (an activity arrived), nothing is planned, and the contact is read and
recomputed again, so concurrent activities are neither lost nor counted twice.
"""

from collections.abc import Sequence
from functools import partial

from api.db.client import Store
from api.db.contact_docs import ContactQuery
from api.db.faults import CommitContention
from api.domain.changes import Change, Rescore
from api.domain.contacts import ContactState
from api.domain.jobs import RescoreJob
from api.domain.ledger import Entry
from api.domain.rules import CustomRule
from api.domain.sheet import ScoreSheet
from api.jobs.heartbeat import resume_abandoned, with_heartbeat
from api.jobs.tasks import Tasks
from api.services.errors import ErrorCode, ServiceError, ServiceFailure
from api.services.recomputation import Recomputation, recompute_contacts, recomputed_chunks
from api.services.score_counts import count
from api.services.validation import MAX_REASON, text_problem
from api.writes.commit import commit, planner_for

MAX_RECOMPUTES = 20


async def start_rescore(store: Store, tasks: Tasks, reason: str, actor: str) -> RescoreJob:
    problem = text_problem("reason", reason, required=True, limit=MAX_REASON)
    if problem:
        raise ServiceFailure([problem])
    if not (await store.sheet.score_sheet()).enabled:
        raise _conflict(
            "Scoring is paused: resume scoring before rescoring (activities recorded while "
            "paused stay unscored either way)"
        )
    if await store.resets.running() is not None:
        raise _conflict("A reset is running: rescore when it is done")
    total = await count(store, ContactQuery())
    job = await store.rescores.start(actor, reason.strip(), total)
    if job is None:
        raise _conflict("A rescore is running already")
    tasks.spawn(run_rescore(store, job), name=f"rescore-{job.id}")
    return job


def _conflict(message: str) -> ServiceFailure:
    return ServiceFailure([ServiceError(None, message, ErrorCode.CONFLICT)])


async def run_rescore(store: Store, job: RescoreJob) -> None:
    await with_heartbeat(store.rescores, job, _rescore(store, job))


async def _rescore(store: Store, job: RescoreJob) -> None:
    sheet = await store.sheet.score_sheet()
    rules = await store.custom_rules.all()
    committer = _Committer(store, sheet, rules, job)
    resume_after = await store.rescores.cursor(job.id)
    async for ids, recomputations in recomputed_chunks(store, sheet, rules, resume_after):
        await store.rescores.beat(job)  # still ours before writing
        affected, delta = await committer.commit([r for r in recomputations if r.result.changed])
        activities = sum(r.result.activities for r in recomputations)
        counts = {"activities": activities, "pointsDelta": delta}
        await store.rescores.advance(job, ids[-1], len(ids), affected, counts)
    await store.rescores.finish(job)


class _Committer:
    """Commits a chunk's recomputations, recomputing the contacts that moved on meanwhile."""

    def __init__(
        self, store: Store, sheet: ScoreSheet, rules: Sequence[CustomRule], job: RescoreJob
    ) -> None:
        self.store, self.sheet, self.rules = store, sheet, rules
        self.reason = f"Rescored under the current score sheet and custom rules: {job.reason}"
        self.actor = job.actor
        self.plan = planner_for(sheet)

    async def commit(self, recomputations: Sequence[Recomputation]) -> tuple[int, int]:
        """Commit the recomputations; (contacts changed, points added)."""
        pending = list(recomputations)
        affected = delta = 0
        for _ in range(MAX_RECOMPUTES):
            if not pending:
                return affected, delta
            # The states were just read: the commit finds them in the cache (it validates them).
            for recomputation in pending:
                self.store.state_cache.put(recomputation.state)
            # The sequence number each contact was planned at, in the last round of the commit.
            planned_at: dict[str, int] = {}

            def plan(
                state: ContactState, changes: Sequence[Change], seen: dict[str, int] = planned_at
            ) -> tuple[list[Entry], ContactState]:
                seen[state.contact_id] = state.seq
                return self.plan(state, changes)

            outcome = await commit(self.store, self._changes(pending), plan)
            for entries in outcome.entries.values():
                affected += 1
                delta += sum(e.points for e in entries)
            moved = [
                r.result.contact_id
                for r in pending
                if r.result.contact_id not in outcome.entries
                and planned_at.get(r.result.contact_id, r.result.seq) != r.result.seq
            ]
            again = await recompute_contacts(self.store, moved, self.sheet, self.rules)
            pending = [r for r in again if r.result.changed]
        if pending:
            raise CommitContention("contacts kept changing while they were rescored")
        return affected, delta

    def _changes(self, recomputations: Sequence[Recomputation]) -> dict[str, list[Change]]:
        changes: dict[str, list[Change]] = {}
        for r in recomputations:
            result = r.result
            rescore = Rescore(
                result.rescored, result.rescored_occurrences, self.reason, self.actor, result.seq
            )
            changes[result.contact_id] = [rescore]
        return changes


async def resume_abandoned_rescores(store: Store) -> None:
    """Runs for the life of the process: finishes rescores whose process stopped."""
    await resume_abandoned(store.rescores, partial(run_rescore, store))
