"""kill -9 of the API and of the database during ingestion by retrying clients: every acknowledged
activity is kept, none is doubled, scores equal their timelines, writes resume within seconds of
each restart, and a live subscriber keeps receiving changes across the database restart."""

import asyncio
import json
import time

import httpx
import websockets
from motor.motor_asyncio import AsyncIOMotorClient

from api.db.client import Store
from api.domain.access import Role
from api.domain.contacts import ContactDetails
from api.embedded import free_port
from tests.crash_stack import ApiProcess, Database, Ingest, hold_locks, send_until_answered

CLIENTS = 4
BATCH = 20
CONTACTS = 24
# Acknowledged activities between two faults.
PHASE = 500
# Seconds from a restart until every client has been answered again (60 s before the fix).
RESUMED_WITHIN = 12
SUBSCRIPTION = "subscription { scoreChanged(classChangesOnly: false) { contact { email } score } }"


async def test_kill_9_of_api_and_database_loses_and_doubles_nothing(tmp_path):
    database = Database(tmp_path, free_port())
    database.start()
    store = Store(database.uri, "crash")
    api = ApiProcess(database.uri, "crash", tmp_path)
    stop = asyncio.Event()
    try:
        await store.ensure_indexes()
        token, _ = await store.tokens.create("ingest", Role.EDITOR)
        emails = [f"c{i}@x.io" for i in range(CONTACTS)]
        for email in [*emails, "watched@x.io"]:
            await store.contacts.upsert(email, ContactDetails())
        await asyncio.to_thread(api.start)
        ingest = Ingest()

        async def client(number: int) -> None:
            async with httpx.AsyncClient(timeout=60) as http:
                sent = 0
                while not stop.is_set():
                    batch = [
                        {
                            "contactEmail": emails[(number * 7 + sent + i) % CONTACTS],
                            "type": "CLICK" if i % 3 else "OPEN",
                            "campaignId": f"c{(sent + i) % 13}",
                            "idempotencyKey": f"{number}-{sent + i}",
                        }
                        for i in range(BATCH)
                    ]
                    sent += BATCH
                    await send_until_answered(http, api.url, token, batch, ingest, number)

        async def acknowledged(more: int) -> None:
            target = len(ingest.acknowledged) + more
            deadline = time.monotonic() + 60
            while len(ingest.acknowledged) < target:
                assert time.monotonic() < deadline, f"ingestion stalled: {ingest.codes}"
                await asyncio.sleep(0.05)

        async def resumed_after(restart: float) -> float:
            """Seconds from the restart until every client was answered again."""
            while True:
                firsts = {c: at for at, c in reversed(ingest.successes) if at >= restart}
                if len(firsts) == CLIENTS:
                    return max(firsts.values()) - restart
                assert time.monotonic() - restart < 60, "writes did not resume"
                await asyncio.sleep(0.05)

        clients = [asyncio.create_task(client(n)) for n in range(CLIENTS)]
        await acknowledged(PHASE)

        # Killed in the middle of a commit: its transaction stays open on the contacts.
        locker = hold_locks(database.uri, "crash")
        api.kill()
        locker.kill()
        locker.wait()
        api_restart = await asyncio.to_thread(api.start)
        api_resumed = await resumed_after(api_restart)
        await acknowledged(PHASE)

        async with websockets.connect(
            api.url.replace("http", "ws"), subprotocols=["graphql-transport-ws"]
        ) as ws:
            await ws.send(
                json.dumps({"type": "connection_init", "payload": {"authorization": token}})
            )
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(
                json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION}})
            )
            await asyncio.sleep(0.5)  # subscribed before the database goes away

            database.kill()
            await asyncio.sleep(0.5)
            await asyncio.to_thread(database.start)
            database_resumed = await resumed_after(time.monotonic())
            await acknowledged(PHASE)
            stop.set()
            await asyncio.wait_for(asyncio.gather(*clients), 60)

            watched = [
                {
                    "contactEmail": "watched@x.io",
                    "type": "OPEN",
                    "campaignId": "w",
                    "idempotencyKey": "w",
                }
            ]
            async with httpx.AsyncClient(timeout=60) as http:
                await send_until_answered(http, api.url, token, watched, Ingest(), 0)
            await _until_seen(ws, "watched@x.io")

        assert api_resumed < RESUMED_WITHIN, f"writes resumed {api_resumed:.1f}s after the API"
        assert database_resumed < RESUMED_WITHIN, f"{database_resumed:.1f}s after the database"
        assert not [f for f in ingest.failures if "Unexpected error" in f], ingest.failures[:3]
        await _assert_ledger_holds(store, ingest)
        print(
            f"\n{len(ingest.acknowledged)} acknowledged, {len(ingest.answered)} answered; "
            f"writes resumed {api_resumed:.1f}s after the API restart and "
            f"{database_resumed:.1f}s after the database restart; errors: {ingest.codes}"
        )
    finally:
        stop.set()
        api.stop()
        store.close()
        database.stop()


async def _until_seen(ws: websockets.ClientConnection, email: str) -> None:
    deadline = time.monotonic() + 20
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), deadline - time.monotonic()))
        if message["type"] in {"ping", "pong"}:
            continue
        assert message["type"] == "next", message
        if message["payload"]["data"]["scoreChanged"]["contact"]["email"] == email:
            return


async def _assert_ledger_holds(store: Store, ingest: Ingest) -> None:
    activity_entries = await store.ledger.collection.find(
        {"kind": "ACTIVITY"}, {"idempotencyKey": 1}
    ).to_list(None)
    keys = [doc["idempotencyKey"] for doc in activity_entries]
    assert len(keys) == len(set(keys)), "an activity was recorded twice"
    lost = ingest.acknowledged - set(keys)
    assert not lost, f"{len(lost)} acknowledged activities lost: {sorted(lost)[:10]}"
    assert ingest.answered <= set(keys)
    totals = await store.ledger.collection.aggregate(
        [{"$group": {"_id": "$contactId", "points": {"$sum": "$points"}}}]
    ).to_list(None)
    points = {total["_id"]: total["points"] for total in totals}
    for contact in await store.contacts.collection.find().to_list(None):
        assert contact["score"] == points.get(contact["_id"], 0), contact


async def test_kill_9_of_the_database_keeps_every_acknowledged_insert(tmp_path):
    """The database alone, as api/embedded.py starts it, with the driver's default write concern
    (w: 1, no journal): writes answered, then kill -9."""
    database = Database(tmp_path, free_port())
    database.start()
    client: AsyncIOMotorClient[dict] = AsyncIOMotorClient(database.uri)
    inserts = client.test.inserts
    acknowledged: list[int] = []

    async def writer(number: int) -> None:
        for i in range(100_000):
            await inserts.insert_one({"_id": number * 1_000_000 + i})
            acknowledged.append(number * 1_000_000 + i)

    writers = [asyncio.create_task(writer(n)) for n in range(4)]
    try:
        await asyncio.sleep(3)
        database.kill()
        await asyncio.wait(writers, timeout=30)
        database.start()
        stored = {doc["_id"] async for doc in inserts.find({}, {"_id": 1})}
        lost = set(acknowledged) - stored
        assert acknowledged and not lost, f"{len(lost)} of {len(acknowledged)} lost"
    finally:
        client.close()
        database.stop()


def test_writes_wait_for_a_majority_and_the_journal_unless_the_uri_says_otherwise():
    durable = Store("mongodb://127.0.0.1:1/?directConnection=true", "x")
    chosen = Store("mongodb://127.0.0.1:1/?w=1&journal=false&serverSelectionTimeoutMS=100", "x")
    try:
        assert durable.client.write_concern.document == {"w": "majority", "j": True}
        assert chosen.client.write_concern.document == {"w": 1, "j": False}
        assert chosen.client.options.server_selection_timeout == 0.1
        assert durable.client.options.server_selection_timeout == 5
    finally:
        durable.close()
        chosen.close()
