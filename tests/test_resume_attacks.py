"""Attacks on resuming: the seam when this process's change stream lags the ledger (it
reconnected, or it is busy), and a group that falls behind while a member catches up."""

import asyncio
from collections.abc import Coroutine
from typing import Any

import pytest

from api.domain.access import Role
from tests.conftest import Api
from tests.gql_ops import make_contact
from tests.test_resume import RESUMABLE, changes, error_of, nothing_more, opens, server, write
from tests.ws import Subscriber


async def in_server(api: Api, work: Coroutine[Any, Any, None]) -> None:
    """Run `work` on the server's event loop (its thread)."""
    assert api.hub._task is not None
    loop = api.hub._task.get_loop()
    await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, loop))


async def stop_the_hub(api: Api, emails: list[str]) -> None:
    """Stop the hub's stream once it holds a resume token (it saw a change): started again, it
    publishes what was written meanwhile, late, as a stream that reconnected does."""
    seen = api.hub.cursor
    await write(api, opens(emails, 0, 1), 1, 0)
    for _ in range(500):
        if api.hub.cursor != seen:
            break
        await asyncio.sleep(0.01)
    await in_server(api, api.hub.stop())


@pytest.mark.parametrize("shared", [True, False], ids=["shared", "own"])
async def test_a_hub_that_lags_does_not_send_what_the_replay_covered(mongo_uri, store, shared):
    """The hub's stream is behind the ledger (here: stopped, then resumed from its token, as after
    a reconnect) while a subscriber resumes after a moment: the changes before the moment that
    the hub publishes late are not sent to it."""
    async with server(mongo_uri, store, shared) as api:
        emails = [f"lag{n}@example.com" for n in range(5)]
        for email in emails:
            await make_contact(api, email)
        await stop_the_hub(api, emails)
        await write(api, opens(emails, 1, 30), 30, 0)  # the hub has yet to publish these
        moment = (await api.data("{ liveCursor }", role=Role.VIEWER))["liveCursor"]
        await write(api, opens(emails, 31, 1), 1, 0)  # after the moment: to be replayed
        async with Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as sub:
            await sub.subscribe(RESUMABLE, {"after": moment})
            await api.wait_subscribers(1)
            [replayed] = await changes(sub, 1)
            await asyncio.sleep(0.2)
            await in_server(api, api.hub.start())
            await nothing_more(sub)
            await write(api, opens(emails, 32, 1), 1, 0)
            [live] = await changes(sub, 1)
    assert moment < replayed["cursor"][:16] < live["cursor"][:16]


SLOW_GROUP = """subscription($after: String) {
  scoreChanged(after: $after) { cursor entry { id } contact { email score } } }"""


async def test_a_member_catching_up_when_its_group_falls_behind_is_told(mongo_uri, store):
    """Its group falls behind the hub (as in a burst) while the member is being replayed: the
    member is sent the rest or told where to resume, never left waiting on a group that is gone."""
    async with server(mongo_uri, store, shared=True) as api:
        emails = [f"burst{n}@example.com" for n in range(5)]
        for email in emails:
            await make_contact(api, email)
        moment = (await api.data("{ liveCursor }", role=Role.VIEWER))["liveCursor"]
        await write(api, opens(emails, 1, 200), 200, 0)
        fell_behind = api.hub.fell_behind

        async def overflow() -> None:
            assert api.live_groups is not None
            for group in list(api.live_groups.groups.values()):
                group.inbox.fall_behind()
                api.hub.fell_behind += 1

        async with Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as sub:
            await sub.subscribe(SLOW_GROUP, {"after": moment})
            received = [(await changes(sub, 1))[0]]  # the replay has begun
            await in_server(api, overflow())
            while "errors" not in (message := await sub.next(timeout=10))["payload"]:
                received.append(message["payload"]["data"]["scoreChanged"])
                assert len(received) <= 200, "the group did not fall behind"
        assert api.hub.fell_behind > fell_behind
        [gap] = message["payload"]["errors"]
        assert gap["extensions"]["code"] == "FELL_BEHIND"
        assert gap["extensions"]["resumeAfter"] == received[-1]["cursor"]
        await api.wait_subscribers(0)


async def test_cursors_from_the_future_are_refused(api):
    """A moment past the end of time, a moment years ahead, or a real change's token behind a
    later cluster time: INVALID_CURSOR, not an internal error nor a subscription that stays
    silent until then."""
    emails = ["future@example.com"]
    await make_contact(api, emails[0])
    async with Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as sub:
        await sub.subscribe(RESUMABLE)
        await api.wait_subscribers(1)
        await write(api, opens(emails, 0, 1), 1, 0)
        [change] = await changes(sub, 1)
    token = change["cursor"][16:]
    for bad in ["f" * 16, "7fffffff00000000", "7fffffff00000000" + token]:
        refused = await error_of(api, bad)
        assert refused["extensions"]["code"] == "INVALID_CURSOR", (bad, refused)
