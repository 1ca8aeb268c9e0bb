"""Hostile requests against the API process: how fast they are refused, how fast a viewer's
`{ me { name } }` answers meanwhile, and the API's memory (RSS) before, at the peak and after."""

import asyncio
import json
import time
from collections import Counter
from pathlib import Path

import httpx

CLIENTS = 8
ME = {"query": "{ me { name } }"}
TIMELINES = "contacts(first: 100) { edges { node { timeline(first: 100) { totalCount } } } }"


def _aliases(count: int, field: str) -> str:
    return "{ " + " ".join(f"a{i}: {field}" for i in range(count)) + " }"


def hostile_bodies() -> list[bytes]:
    """The issue's reproductions, and more of the same kind."""
    documents = [
        "{ me { " + "name " * 200_000 + "} }",
        "{ me { " + "n " * 40_000 + "} }",
        _aliases(1000, TIMELINES),
        _aliases(50, TIMELINES),
        _aliases(200, "scoringSimulate(input: {}) { simulation { contactsExamined } }"),
        _aliases(30, "contacts(first: 7) { totalCount }"),
        "{ " + "a { " * 20 + "b" + " }" * 20 + " }",
        "subscription { scoreChanged { score } }",
        "{ contacts(" + ", ".join(f"a{i}: {i}" for i in range(3000)) + ") { totalCount } }",
    ]
    return [json.dumps({"query": d}).encode() for d in documents] + [
        json.dumps({"query": "{ me { " + "name " * 2_000_000 + "} }"}).encode(),
        b"null",
        b'"x"',
        b"\xff\xfe{",
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        json.dumps({"query": "{ me { name } }", "variables": {"x": [1] * 100_000}}).encode(),
    ]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def measure_hostile(url: str, token: str, pid: int, count: int) -> None:
    headers = {"Authorization": f"Bearer {token}", "content-type": "application/json"}
    bodies = hostile_bodies()
    async with httpx.AsyncClient(headers=headers, timeout=60) as http:
        fresh = rss_mib(pid)
        # Warm up: every kind of request once (first-use caches and the worker thread), so that
        # what is measured is what the requests leave behind.
        for body in [*bodies, *[json.dumps(ME).encode()] * 50]:
            await http.post(url, content=body)
        await asyncio.sleep(1)
        start = peak = rss_mib(pid)
        statuses: Counter[int] = Counter()
        refusals: list[float] = []
        viewer: list[float] = []
        done = asyncio.Event()

        async def attacker(number: int) -> None:
            for i in range(number, count, CLIENTS):
                began = time.perf_counter()
                response = await http.post(url, content=bodies[i % len(bodies)])
                refusals.append(time.perf_counter() - began)
                statuses[response.status_code] += 1

        async def watch() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, rss_mib(pid))
                began = time.perf_counter()
                await http.post(url, json=ME)
                viewer.append(time.perf_counter() - began)
                await asyncio.sleep(0.1)

        began = time.perf_counter()
        watcher = asyncio.create_task(watch())
        await asyncio.gather(*(attacker(n) for n in range(CLIENTS)))
        elapsed = time.perf_counter() - began
        done.set()
        await watcher
        await asyncio.sleep(2)
        after = rss_mib(pid)
    print(
        f"hostile requests: {count} in {elapsed:.1f} s ({count / elapsed:.0f}/s, {CLIENTS} "
        f"clients), statuses {dict(sorted(statuses.items()))}; answer p50 "
        f"{percentile(refusals, 50) * 1000:.0f} ms, p99 {percentile(refusals, 99) * 1000:.0f} ms"
    )
    print(
        f"a viewer's {{ me {{ name }} }} meanwhile: p50 {percentile(viewer, 50) * 1000:.0f} ms, "
        f"p99 {percentile(viewer, 99) * 1000:.0f} ms, max {max(viewer) * 1000:.0f} ms "
        f"over {len(viewer)} requests"
    )
    print(
        f"API memory (RSS): {fresh:.0f} MiB fresh, {start:.0f} MiB after one request of each "
        f"kind, {peak:.0f} MiB at the peak, {after:.0f} MiB after; ratio after / before "
        f"{after / start:.2f}"
    )
