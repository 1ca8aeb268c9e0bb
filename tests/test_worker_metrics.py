"""`python -m api --workers 2`: /metrics, whichever worker answers it, adds up every worker's
numbers; a worker killed with kill -9 keeps its counts but no longer its live subscribers; the
metrics directory is private, fresh each run, and removed at the end (a killed run's at the next
start)."""

import asyncio
import contextlib
import os
import signal
import stat
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from prometheus_client.multiprocess import MultiProcessCollector

from tests.crash_stack import ApiProcess
from tests.ws import Subscriber

TOKEN = "cs_workers_" + uuid.uuid4().hex
ME = {"query": "{ me { name } }"}
REQUESTS = 'scoring_http_requests_total{operation="me",status="200"}'
SUBSCRIBE = "subscription { scoreChanged { score } }"
LIVE = "scoring_live_subscribers"


async def scrape(http: httpx.AsyncClient, base: str) -> dict[str, float]:
    text = (await http.get(f"{base}/metrics", headers={"Connection": "close"})).text
    return {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }


def per_worker(run: Path, prefix: str, sample: str) -> dict[int, float]:
    """One value per worker, read from each worker's own file."""
    values = {}
    for path in run.glob(f"{prefix}_*.db"):
        pid = int(path.stem.rsplit("_", 1)[1])
        for metric in MultiProcessCollector.merge([str(path)]):  # type: ignore[no-untyped-call]
            for found in metric.samples:
                labels = ",".join(f'{k}="{v}"' for k, v in sorted(found.labels.items()))
                if f"{found.name}{{{labels}}}" == sample or found.name == sample:
                    values[pid] = found.value
    return values


async def until(what: str, check: Callable[[], Awaitable[bool]], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.1)


async def test_metrics_add_up_every_worker(mongo_uri, database_name, tmp_path):
    killed_run = tmp_path / "scoring-metrics-999999999-old"  # no such process
    killed_run.mkdir()
    (killed_run / "counter_12345.db").write_bytes(b"\0" * 16)
    running = tmp_path / f"scoring-metrics-{os.getpid()}-other"  # another run, alive
    running.mkdir()
    server = ApiProcess(
        mongo_uri, database_name, tmp_path, {"SCORING_DEV_TOKEN": TOKEN}, ("--workers", "2")
    )
    base = server.url.removesuffix("/graphql")
    headers = {"Authorization": f"Bearer {TOKEN}", "Connection": "close"}
    server.start()
    try:
        assert not killed_run.exists() and running.exists()
        [run] = [path for path in tmp_path.glob("scoring-metrics-*") if path != running]
        assert stat.S_IMODE(run.stat().st_mode) == 0o700
        async with httpx.AsyncClient(timeout=10) as http, contextlib.AsyncExitStack() as stack:

            async def metric(name: str) -> float | None:
                return (await scrape(http, base)).get(name)

            async def equals(name: str, value: float) -> bool:
                return await metric(name) == value

            # A new connection each time, until both workers have answered some.
            sent = 0
            while sent < 40 or len(per_worker(run, "counter", REQUESTS)) < 2:
                assert sent < 1000, "one worker answered everything"
                answer = await http.post(server.url, json=ME, headers=headers)
                assert answer.status_code == 200, answer.text
                sent += 1
            await until("the total of both workers", lambda: equals(REQUESTS, sent))
            counts = per_worker(run, "counter", REQUESTS)
            assert len(counts) == 2 and all(counts.values()) and sum(counts.values()) == sent
            assert await metric("scoring_live_stream_up") == 1

            for _ in range(6):
                ws = Subscriber(server.url.replace("http", "ws"), TOKEN)
                await (await stack.enter_async_context(ws)).subscribe(SUBSCRIBE)
            await until("6 subscribers", lambda: equals(LIVE, 6))
            held = per_worker(run, "gauge_livesum", LIVE)
            victim, lost = max(held.items(), key=lambda item: item[1])
            assert sum(held.values()) == 6 and lost > 0
            os.kill(victim, signal.SIGKILL)
            await until("the killed worker's subscribers gone", lambda: equals(LIVE, 6 - lost))
            assert await metric(REQUESTS) == sent  # the killed worker's counts stay in the sum
    finally:
        server.stop()
    assert not run.exists() and running.exists()
