"""Field-rule points kept in step with the rules: per contact inline, over every contact as a job.

A change to a contact syncs that contact in the same commit. A change to the rules starts a sync
job that walks every contact in the background, like a reset (api/jobs/heartbeat.py): a chunk at a
time, with its cursor and a heartbeat in its `fieldRuleSyncs` document, resumed by another process
if its own dies. Each chunk reads the rules as they are then, and a contact's sync brings it to
exactly the rules it matches (an idempotent commit, serialized with activities and resets), so a
walk never counts twice. At most one sync runs: a rule change while one runs re-arms it (`again`),
and when its walk ends it walks every contact once more, so no change is missed.
"""

from collections.abc import Mapping, Sequence
from functools import partial

from api.db.client import Store
from api.db.contact_docs import ContactQuery
from api.domain.changes import Change, FieldRulesSync
from api.domain.jobs import FieldRuleSyncJob
from api.jobs.heartbeat import resume_abandoned, with_heartbeat
from api.jobs.tasks import Tasks
from api.scoring.rules import field_awards, field_expiry
from api.services.errors import CONTENDED, ServiceFailure
from api.services.score_counts import count
from api.writes.commit import commit, planner_for

CHUNK = 500
# Attempts at re-arming the running sync or starting one, each lost to a sync that just ended.
MAX_ARMS = 20


async def sync_contacts(
    store: Store,
    contact_ids: Sequence[str],
    deleted: Mapping[str, str] | None = None,
    also: Mapping[str, Sequence[Change]] | None = None,
) -> int:
    """Give or take back field-rule points so that these contacts (after they were created or
    changed) hold exactly the rules they match, committed together with any other changes `also`
    holds for them. Returns how many contacts changed."""
    rules = await store.field_rules.all()
    plan = planner_for(await store.sheet.score_sheet())
    contacts = await store.contacts.by_ids(contact_ids)
    names = {**(deleted or {}), **{rule.id: rule.name for rule in rules}}
    gone = frozenset(deleted or {})
    extra = also or {}
    expiry = field_expiry(rules)
    changes: dict[str, list[Change]] = {
        cid: [
            FieldRulesSync(field_awards(rules, c.profile()), names, gone, expiry),
            *extra.get(cid, ()),
        ]
        for cid, c in contacts.items()
    }
    return len((await commit(store, changes, plan)).entries)


async def arm_field_rule_sync(
    store: Store, tasks: Tasks, actor: str, reason: str, deleted: Mapping[str, str] | None = None
) -> FieldRuleSyncJob:
    """After a rule change: the running sync re-armed, or a new one started (`deleted`: rules
    deleted, id -> name)."""
    for _ in range(MAX_ARMS):
        job = await store.field_rule_syncs.rearm(deleted or {})
        if job is not None:
            return job
        total = await count(store, ContactQuery())
        job = await store.field_rule_syncs.start(actor, reason, total, deleted or {})
        if job is not None:
            tasks.spawn(run_field_rule_sync(store, job), name=f"field-rule-sync-{job.id}")
            return job
    raise ServiceFailure([CONTENDED])


async def run_field_rule_sync(store: Store, job: FieldRuleSyncJob) -> None:
    await with_heartbeat(store.field_rule_syncs, job, _sync(store, job))


async def _sync(store: Store, job: FieldRuleSyncJob) -> None:
    syncs = store.field_rule_syncs
    while True:
        async for ids in store.contacts.id_batches(await syncs.cursor(job.id), CHUNK):
            await syncs.beat(job)  # still ours before writing
            now = await syncs.get(job.id)
            deleted = now.deleted if now is not None else {}
            await syncs.advance(job, ids[-1], len(ids), await sync_contacts(store, ids, deleted))
        if await syncs.finish_unless_rearmed(job):
            return
        await syncs.walk_again(job, await count(store, ContactQuery()))


async def resume_abandoned_field_rule_syncs(store: Store) -> None:
    """Runs for the life of the process: finishes field-rule syncs whose process stopped."""
    await resume_abandoned(store.field_rule_syncs, partial(run_field_rule_sync, store))
