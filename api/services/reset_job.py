"""Resetting every contact's score to zero, with a history, safely on a large contact base.

A reset pauses scoring, then walks the contacts in _id order, a chunk at a time, committing a
RESET entry for each through the same transactional commit as activities: an activity racing the
reset on a contact is serialized with it, so no contact keeps pre-reset points. Progress and a
heartbeat are kept in the reset's document; if its process dies, another one resumes it
(api/jobs/heartbeat.py).
"""

from functools import partial

from api.db.client import Store
from api.db.contact_docs import ContactQuery
from api.domain.changes import ResetChange
from api.domain.jobs import ResetJob
from api.domain.ledger import reset_key
from api.jobs.heartbeat import resume_abandoned, with_heartbeat
from api.jobs.tasks import Tasks
from api.services.errors import ErrorCode, ServiceError, ServiceFailure
from api.services.score_counts import count
from api.services.validation import MAX_REASON, text_problem
from api.writes.commit import commit, planner_for

CHUNK = 500


async def start_reset(
    store: Store, tasks: Tasks, reason: str, agree: bool, enable_scoring: bool, actor: str
) -> ResetJob:
    problems = []
    if not agree:
        problems.append(
            ServiceError(
                "agree",
                "Resetting sets every score to 0 and cannot be undone: agree to go on",
                ErrorCode.AGREEMENT_REQUIRED,
            )
        )
    problem = text_problem("reason", reason, required=True, limit=MAX_REASON)
    if problem:
        problems.append(problem)
    if problems:
        raise ServiceFailure(problems)
    total = await count(store, ContactQuery())
    job = await store.resets.start(actor, reason.strip(), enable_scoring, total)
    if job is None:
        raise ServiceFailure([ServiceError(None, "A reset is running already", ErrorCode.CONFLICT)])
    sheet = await store.sheet.score_sheet()
    await store.sheet.save_score_sheet(sheet.with_changes(enabled=False), actor)
    tasks.spawn(run_reset(store, job), name=f"reset-{job.id}")
    return job


async def run_reset(store: Store, job: ResetJob) -> None:
    await with_heartbeat(store.resets, job, _reset(store, job))


async def _reset(store: Store, job: ResetJob) -> None:
    # Keyed by the job: a contact gets one RESET entry from this reset, even when a walker that
    # lost the job (or crashed after a chunk's commit) commits a chunk again.
    change = ResetChange(job.reason, job.actor, reset_key(job.id))
    plan = planner_for(await store.sheet.score_sheet())
    resume_after = await store.resets.cursor(job.id)
    async for ids in store.contacts.id_batches(resume_after, CHUNK):
        await store.resets.beat(job)  # still ours before writing
        outcome = await commit(store, {cid: [change] for cid in ids}, plan)
        await store.resets.advance(job, ids[-1], len(ids), len(outcome.entries))
    await store.resets.finish(job)
    if job.enable_scoring:
        sheet = await store.sheet.score_sheet()
        await store.sheet.save_score_sheet(sheet.with_changes(enabled=True), job.actor)


async def resume_abandoned_resets(store: Store) -> None:
    """Runs for the life of the process: finishes resets whose process stopped."""
    await resume_abandoned(store.resets, partial(run_reset, store))
