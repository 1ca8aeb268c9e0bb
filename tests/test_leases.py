"""Leases (one holder at a time, taken over once they run out) and the periodic runner on them."""

import asyncio
import contextlib
import time
from datetime import UTC, datetime, timedelta

from api.db.client import Store
from api.scheduler import run_periodically

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


async def test_one_holder_at_a_time_until_its_lease_runs_out(store):
    leases = store.leases
    assert await leases.acquire("task", "a", MINUTE, now=T0)
    assert not await leases.acquire("task", "b", MINUTE, now=T0 + 30 * timedelta(seconds=1))
    assert await leases.acquire("task", "a", MINUTE, now=T0 + 50 * timedelta(seconds=1))  # renew
    assert not await leases.acquire("task", "b", MINUTE, now=T0 + MINUTE)  # renewed: still a's
    # a died: its lease runs out and b takes over; a cannot take it back.
    assert await leases.acquire("task", "b", MINUTE, now=T0 + 2 * MINUTE)
    assert not await leases.acquire("task", "a", MINUTE, now=T0 + 2 * MINUTE)
    lease = await leases.get("task")
    assert (lease.holder, lease.until) == ("b", T0 + 3 * MINUTE)
    assert await leases.acquire("other task", "a", MINUTE, now=T0)  # leases are independent

    await leases.release("task", "a")  # not a's: nothing happens
    assert (await leases.get("task")).holder == "b"
    await leases.release("task", "b")
    assert await leases.get("task") is None
    assert await leases.acquire("task", "a", MINUTE, now=T0 + 2 * MINUTE)


async def test_racing_processes_get_a_free_lease_once(store, mongo_uri):
    others = [Store(mongo_uri, store.db.name) for _ in range(3)]
    try:
        stores = [store, *others]
        for moment in (T0, T0 + 2 * MINUTE):  # a free lease, then one that ran out
            won = await asyncio.gather(
                *(
                    s.leases.acquire("race", f"p{i}-{j}", MINUTE, now=moment)
                    for i, s in enumerate(stores)
                    for j in range(3)
                )
            )
            assert won.count(True) == 1
    finally:
        for other in others:
            other.close()


async def wait_for(condition, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


async def stop(task: asyncio.Task) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def test_only_the_lease_holder_works_and_another_takes_over(store, mongo_uri):
    rounds: list[str] = []

    def runner(name: str, leases) -> asyncio.Task:
        async def work() -> None:
            rounds.append(name)

        # A long lease: only releasing it lets the other runner in.
        ttl = timedelta(seconds=30)
        return asyncio.create_task(
            run_periodically(leases, "tick", work, every=0.02, ttl=ttl, holder=name)
        )

    other = Store(mongo_uri, store.db.name)
    try:
        first = runner("first", store.leases)
        await wait_for(lambda: len(rounds) >= 3)
        second = runner("second", other.leases)
        await wait_for(lambda: len(rounds) >= 10)
        assert set(rounds) == {"first"}
        await stop(first)  # a process that stops releases its lease...
        await wait_for(lambda: rounds[-1] == "second")  # ...and the other takes over
        assert (await store.leases.get("tick")).holder == "second"
        await stop(second)
        assert await store.leases.get("tick") is None
    finally:
        other.close()


async def test_a_dead_holder_is_replaced_once_its_lease_ran_out(store):
    ttl = timedelta(seconds=0.5)
    assert await store.leases.acquire("tick", "dead", ttl)  # and never renewed
    until = (await store.leases.get("tick")).until
    worked: list[datetime] = []

    async def work() -> None:
        worked.append(datetime.now(UTC))

    task = asyncio.create_task(run_periodically(store.leases, "tick", work, every=0.02))
    try:
        await wait_for(lambda: worked)
    finally:
        await stop(task)
    assert worked[0] >= until


async def test_a_failed_round_is_tried_again_and_a_long_one_keeps_its_lease(store):
    attempts = 0
    lease_during_long_round = []

    async def work() -> None:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise RuntimeError("the database went away")
        if attempts == 2:  # a round several lease lengths long
            for _ in range(2):
                lease_during_long_round.append(await store.leases.get("slow"))
                await asyncio.sleep(0.5)

    task = asyncio.create_task(
        run_periodically(
            store.leases, "slow", work, every=0.03, ttl=timedelta(seconds=0.09), holder="me"
        )
    )
    try:
        await wait_for(lambda: attempts >= 3)
    finally:
        await stop(task)
    start, later = lease_during_long_round
    assert later.holder == "me" and later.until > start.until  # renewed while working
