"""Resumable live subscriptions: a subscriber that comes back with its last cursor is sent every
change it missed, in order and once each, then the live ones, with no gap and no duplicate at the
seam, also across an API restart; one that cannot be sent everything is told where to resume."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from api.config import Settings
from api.domain.access import Role
from api.wire import Wire
from graphql_schema.live.shared import Member
from tests.conftest import Api, serve
from tests.crash_stack import ApiProcess
from tests.gql_ops import RECORD_MANY, make_contact
from tests.ws import Subscriber

RESUMABLE = """subscription($after: String) {
  scoreChanged(after: $after) { contactId delta score cursor entry { id } } }"""


def opens(emails: list[str], first: int, count: int) -> list[dict]:
    """`count` opens of new campaigns, one point-earning change each, spread over the emails."""
    return [
        {
            "contactEmail": emails[n % len(emails)],
            "type": "OPEN",
            "campaignId": f"c{n}",
            "idempotencyKey": f"open-{n}",
        }
        for n in range(first, first + count)
    ]


async def write(api: Api, items: list[dict], batch: int, pause: float) -> None:
    for start in range(0, len(items), batch):
        answer = await api.data(RECORD_MANY, {"input": items[start : start + batch]}, Role.EDITOR)
        assert answer["activitiesRecord"]["errors"] == []
        await asyncio.sleep(pause)


async def changes(sub: Subscriber, count: int, timeout: float = 60) -> list[dict]:
    received = []
    while len(received) < count:
        message = await sub.next(timeout=timeout)
        assert message["type"] == "next" and "errors" not in message["payload"], message
        received.append(message["payload"]["data"]["scoreChanged"])
    return received


async def nothing_more(sub: Subscriber) -> None:
    with pytest.raises(TimeoutError):
        await sub.next(timeout=0.5)


async def stored_changes(store, contact_ids: list[str]) -> set[str]:
    """The ids of every ledger entry of these contacts that moved a score."""
    docs = await store.ledger.collection.find(
        {"contactId": {"$in": contact_ids}, "points": {"$ne": 0}}, {"_id": 1}
    ).to_list(None)
    return {doc["_id"] for doc in docs}


def assert_in_commit_order(received: list[dict]) -> None:
    cursors = [change["cursor"] for change in received]
    assert len(set(cursors)) == len(cursors), "a change was sent twice"
    commits = [cursor[:16] for cursor in cursors]
    assert commits == sorted(commits)
    last_score: dict[str, int] = {}
    for change in received:  # opens only add points: each contact's score only grows
        assert change["score"] > last_score.get(change["contactId"], 0)
        last_score[change["contactId"]] = change["score"]


@contextlib.asynccontextmanager
async def server(mongo_uri, store, shared: bool) -> AsyncIterator[Api]:
    settings = Settings.from_env({"SCORING_LIVE_SHARED": "1" if shared else "0"})
    async with serve(mongo_uri, store, settings=settings) as api:
        yield api


@pytest.mark.parametrize(
    ("shared", "away"),
    [
        (True, 1000),
        (False, 200),
    ],  # the case; the unshared path (a measurement mode) in short
    ids=["shared", "own"],
)
async def test_a_subscriber_away_for_ten_seconds_gets_exactly_what_it_missed(
    mongo_uri, store, shared, away
):
    async with server(mongo_uri, store, shared) as api:
        emails = [f"r{n}@example.com" for n in range(50)]
        ids = [await make_contact(api, email) for email in emails]
        async with Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as sub:
            await sub.subscribe(RESUMABLE)
            await api.wait_subscribers(1)
            await write(api, opens(emails, 0, 1), 1, 0)
            [first] = await changes(sub, 1)
        await api.wait_subscribers(0)

        await write(api, opens(emails, 1, away), 100, 1.0)  # 1,000 changes over 10 s
        # More are written while it comes back: the seam between replay and live.
        during = asyncio.create_task(write(api, opens(emails, away + 1, 200), 10, 0.02))
        async with Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as sub:
            await sub.subscribe(RESUMABLE, {"after": first["cursor"]})
            received = await changes(sub, away + 200)
            await during
            await nothing_more(sub)
            await write(api, opens(emails, away + 201, 1), 1, 0)
            [live] = await changes(sub, 1)

    assert_in_commit_order([first, *received, live])
    sent = {c["entry"]["id"] for c in [first, *received, live]}
    assert sent == await stored_changes(store, ids)
    assert len(sent) == away + 202


async def test_the_live_cursor_is_a_moment_to_resume_after(api, store):
    """Read before the screen loads: a subscriber that had no change yet misses none either."""
    emails = ["moment@example.com"]
    ids = [await make_contact(api, emails[0])]
    await write(api, opens(emails, 0, 2), 2, 0)  # before the moment: never sent
    before = await stored_changes(store, ids)
    moment = (await api.data("{ liveCursor }", role=Role.VIEWER))["liveCursor"]
    assert len(moment) == 16
    await write(api, opens(emails, 2, 3), 1, 0)
    async with Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as sub:
        await sub.subscribe(RESUMABLE, {"after": moment})
        received = await changes(sub, 3)
        await nothing_more(sub)
    later = {c["entry"]["id"] for c in received}
    assert len(before) == 2 and later == await stored_changes(store, ids) - before
    assert all(c["cursor"][:16] > moment for c in received)


async def test_resuming_across_an_api_restart(store, mongo_uri, database_name, tmp_path):
    """The cursor is the ledger's: kill the API a subscriber was connected to, write through
    another one, start it again: the subscriber resumes where it was."""
    tokens = {role: (await store.tokens.create(f"t-{role.value}", role))[0] for role in Role}
    processes = [ApiProcess(mongo_uri, database_name, tmp_path) for _ in range(2)]
    async with httpx.AsyncClient(timeout=60) as http:
        try:
            for process in processes:
                process.start()
            one, other = (
                Api(p.url, p.url.replace("http", "ws"), tokens, http, None)  # type: ignore[arg-type]
                for p in processes
            )
            emails = [f"p{n}@example.com" for n in range(10)]
            ids = [await make_contact(other, email) for email in emails]
            moment = (await one.data("{ liveCursor }", role=Role.VIEWER))["liveCursor"]
            async with Subscriber(one.ws_url, tokens[Role.VIEWER]) as sub:
                # After a moment: however late the subscription starts, nothing is missed.
                await sub.subscribe(RESUMABLE, {"after": moment})
                await write(other, opens(emails, 0, 1), 1, 0)
                [first] = await changes(sub, 1)
                processes[0].kill()
            await write(other, opens(emails, 1, 300), 50, 0.1)
            processes[0].start()
            async with Subscriber(one.ws_url, tokens[Role.VIEWER]) as sub:
                await sub.subscribe(RESUMABLE, {"after": first["cursor"]})
                received = await changes(sub, 300)
                await nothing_more(sub)
        finally:
            for process in processes:
                process.stop()
    assert_in_commit_order([first, *received])
    assert {c["entry"]["id"] for c in [first, *received]} == (await stored_changes(store, ids))


async def error_of(api: Api, after: str) -> dict:
    """The error that ends a subscription after `after` (changes sent before it are skipped: a
    replay past its limit is streamed until it reaches the limit)."""
    async with Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as sub:
        await sub.subscribe(RESUMABLE, {"after": after})
        while (message := await sub.next())["type"] == "next":
            if "errors" in message["payload"]:
                return message["payload"]["errors"][0]
    assert message["type"] == "error", message
    return message["payload"][0]


async def test_cursors_that_cannot_be_resumed_are_refused_clearly(api):
    for bad in ["not-a-cursor", "ab" * 600, "0" * 16 + "zz"]:
        assert (await error_of(api, bad))["extensions"]["code"] == "INVALID_CURSOR"
    # Well formed, but no position the server knows.
    unknown = await error_of(api, "0" * 16 + "aa")
    assert unknown["extensions"]["code"] == "INVALID_CURSOR"

    emails = ["far@example.com"]
    await make_contact(api, emails[0])
    async with Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as sub:
        await sub.subscribe(RESUMABLE)
        await api.wait_subscribers(1)
        await write(api, opens(emails, 0, 1), 1, 0)
        [first] = await changes(sub, 1)
    await write(api, opens(emails, 1, 6), 6, 0)
    api.hub.max_replay = 5
    expired = await error_of(api, first["cursor"])
    assert expired["extensions"]["code"] == "CURSOR_EXPIRED"
    assert "reload" in expired["message"]


async def test_a_member_too_slow_for_its_queue_is_told_where_to_resume():
    sent: list[dict] = []

    async def send(frame: str) -> None:
        sent.append(json.loads(frame))

    # No server protocol in the scope: its frames go the ASGI way, from its own task.
    member = Member("7", None, Wire({"type": "websocket"}, send))
    for n in range(300):
        member.put(f"{n:016x}aa", json.dumps({"data": {"n": n}}).encode())
    assert await member.serve()
    numbers = [frame["payload"]["data"]["n"] for frame in sent[:-1]]
    assert numbers == list(range(len(numbers)))  # what it held, in order, nothing skipped
    [gap] = sent[-1]["payload"]["errors"]
    assert gap["extensions"] == {"code": "FELL_BEHIND", "resumeAfter": f"{numbers[-1]:016x}aa"}
    assert sent[-1]["id"] == "7"
