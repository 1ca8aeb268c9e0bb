"""Resetting every contact's score to zero, with a history, visible at once on a large base.

Starting a reset starts a new reset generation (its job's id, api/db/histogram.py): from then on
every read takes the score of a contact of an older generation as 0, and the histogram of the new
generation holds every contact at 0, so counts, classes, pages and views show the reset within a
moment, whatever the size of the base. Scoring is paused meanwhile.

The walk then writes each contact's RESET entry and its new state in bulk, a chunk at a time,
reading the contacts a tie bucket of each older generation at a time (api/db/reset_walk.py).
The entries are keyed by the job, so a contact gets one whoever writes it; a state is written
only onto the document the walk read (same seq and generation).
A commit that meets a contact the walk has not reached applies its RESET first, in its own
transaction (api/writes/commit.py), under the same key. Contacts whose sequence number or key was
taken meanwhile are settled one by one through the commit path, which reads their ledger tails.
A final sweep catches contacts created by a process that had not seen the reset yet. Progress and
a heartbeat are kept in the reset's document; if its process dies, another one resumes it
(api/jobs/heartbeat.py), and everything the walk writes is safe to write again.
"""

from datetime import UTC, datetime
from functools import partial

from api.db.client import Store
from api.db.contact_docs import ContactQuery
from api.domain.changes import ResetChange
from api.domain.contacts import ContactState
from api.domain.jobs import ResetJob
from api.domain.ledger import reset_key
from api.jobs.heartbeat import resume_abandoned, with_heartbeat
from api.jobs.tasks import Tasks
from api.scoring.planner import replay
from api.services.errors import ErrorCode, ServiceError, ServiceFailure
from api.services.score_counts import count
from api.services.validation import MAX_REASON, text_problem
from api.writes.commit import Planner, commit, planner_for

# Contacts per chunk: each chunk's writes are a few commands that the embedded server runs one at
# a time, holding up every other request meanwhile (about 1 ms per contact).
CHUNK = 250
SWEEPS = 5


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
    await _pause_scoring(store, actor)
    await store.histogram.start_generation(job.id)
    tasks.spawn(run_reset(store, job), name=f"reset-{job.id}")
    return job


async def _pause_scoring(store: Store, actor: str) -> None:
    if (await store.sheet.score_sheet()).enabled:
        await store.sheet.change_score_sheet(actor, enabled=False)


async def run_reset(store: Store, job: ResetJob) -> None:
    await with_heartbeat(store.resets, job, _reset(store, job))


async def _reset(store: Store, job: ResetJob) -> None:
    # Again when resumed: a crash may have come before scoring was paused or the generation
    # started.
    await _pause_scoring(store, job.actor)
    await store.histogram.start_generation(job.id)
    change = ResetChange(job.reason, job.actor, reset_key(job.id), job.id)
    plan = planner_for(await store.sheet.score_sheet())
    current = await store.histogram.generation(fresh=True)
    if current.id == job.id and current.older is not None:
        walk, by_id = store.reset_walk.held_by(current.older, CHUNK), False
    else:
        resume_after = await store.resets.cursor(job.id)
        walk, by_id = store.reset_walk.stale_states(resume_after, CHUNK, job.id), True
    async for states in walk:
        await store.resets.beat(job)  # still ours before writing
        written = await _reset_chunk(store, states, change, plan)
        # A walk by buckets starts again from the first: the ones walked are empty by then.
        cursor = states[-1].contact_id if by_id else ""
        await store.resets.advance(job, cursor, len(states), written)
    for _ in range(SWEEPS):
        stale = store.reset_walk.stale_states("", CHUNK, job.id)
        left = [state async for chunk in stale for state in chunk]
        if not left:
            break
        await store.resets.beat(job)
        await _reset_chunk(store, left, change, plan)
    await store.histogram.walked(job.id)
    # Before the job ends: a reset started once it has ended pauses scoring for good.
    if job.enable_scoring:
        await store.resets.beat(job)  # still ours: a later reset may run once it is not
        await store.sheet.change_score_sheet(job.actor, enabled=True)
    await store.resets.finish(job)


async def _reset_chunk(
    store: Store, states: list[ContactState], change: ResetChange, plan: Planner
) -> int:
    """The RESET entries and states of contacts as stored, in bulk; how many entries."""
    planned = [(before, *plan(before, [change])) for before in states]
    # Before any rewrite: a rewritten document would hide that its tail is from before the reset.
    tailed = await _with_tails(store, {s.contact_id: s.seq for s, new, _ in planned if not new})
    entries = [entry for _, new, _ in planned for entry in new]
    taken = await store.ledger.insert_unless_taken(entries)
    rewrites = []
    for before, _, after in planned:
        if before.contact_id not in taken | tailed:
            after.mark_stored()
            rewrites.append((before, after))
    moved = await store.reset_walk.store_unless_changed(rewrites, datetime.now(UTC))
    await _settle(store, taken | moved | tailed, change, plan)
    return len(entries) - len(taken)


async def _with_tails(store: Store, seqs: dict[str, int]) -> set[str]:
    """Those of these contacts (stored at 0 with nothing to reset) whose ledger holds entries
    after their document's: a ledger-only tail (activities while paused) may count occurrences
    that the reset must clear; or a commit moved the contact since, which the planner's reset
    then leaves alone. One query for the chunk."""
    newest = await store.ledger.pages(list(seqs), 1, None)
    return {cid for cid, (entries, _) in newest.items() if entries and entries[0].seq > seqs[cid]}


async def _settle(store: Store, ids: set[str], change: ResetChange, plan: Planner) -> None:
    """Contacts a writer got to first: their RESET through the commit path, then their state as
    their ledger has it, until their document holds the new generation."""
    while ids:
        await commit(store, {cid: [change] for cid in ids}, plan)
        stored = await store.contacts.states(sorted(ids))
        tails = await store.ledger.sequences({s.contact_id: s.seq + 1 for s in stored})
        rewrites = []
        for before in stored:
            after = replay(before, tails[before.contact_id])
            # No RESET in the tail: the reset had nothing to take from it.
            after.gen = max(after.gen or "", change.generation or "")
            after.mark_stored()
            rewrites.append((before, after))
        ids = await store.reset_walk.store_unless_changed(rewrites, datetime.now(UTC))


async def resume_abandoned_resets(store: Store) -> None:
    """Runs for the life of the process: finishes resets whose process stopped."""
    await resume_abandoned(store.resets, partial(run_reset, store))
