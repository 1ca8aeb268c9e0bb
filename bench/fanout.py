"""How many live subscribers one API process feeds: every `scoreChanged` subscriber gets every
change; the latency is until the LAST of N subscribers has it. The subscribers run in a process of
their own (bench/fanout_clients.py), so the API's process is measured alone; EVENTS activities are
sent SPACING apart, for the minimal selection, the dashboard's and the README's example (which
reads the contact). Also: the mutation's own round trip meanwhile, the API's memory per idle
subscriber, and its garbage-collection pauses (from /metrics).

`python -m bench.fanout [--modes shared,old,untuned] [--sizes 1,100,1000]`: one API process per
mode on one embedded database; `old` is SCORING_LIVE_SHARED=0 (each subscriber executes its own
selection), `untuned` SCORING_GC_TUNING=0."""

import argparse
import asyncio
import json
import re
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from api.embedded import EmbeddedMongo, free_port
from bench.hostile import rss_mib
from bench.targets import targets
from bench.traffic import ROOT, TOKEN, Served, api_process, create_contacts, percentile
from dashboard.documents import SCORE_CHANGES

SELECTIONS = {
    "minimal": "subscription { scoreChanged { contactId score delta at } }",
    "dashboard": SCORE_CHANGES,
    "readme": """subscription { scoreChanged { contact { email }
  delta score previousScore classification previousClassification reason at } }""",
}
MODES = {"shared": {}, "old": {"SCORING_LIVE_SHARED": "0"}, "untuned": {"SCORING_GC_TUNING": "0"}}
EVENTS = 100
SPACING = 0.05
RECORD = """mutation($input: ActivityInput!) {
  activityRecord(input: $input) { entry { totalAfter } errors { message } } }"""
GC_LINE = re.compile(
    r'^scoring_gc_(collections_total|pause_longest_seconds)\{generation="(\d)"\} (\S+)'
)


@dataclass
class Case:
    latencies: list[float]
    writes: list[float]
    missing: int
    kib_per_subscriber: float


@dataclass
class Row:
    selection: str
    cases: dict[int, Case] = field(default_factory=dict)


async def _subscribers(api: Served, http: httpx.AsyncClient, n: int) -> None:
    health = api.base + "/health"
    deadline = time.monotonic() + 120
    while (await http.get(health)).json()["subscribers"] != n:
        if time.monotonic() > deadline:
            raise SystemExit(f"the API never held {n} subscribers")
        await asyncio.sleep(0.2)


async def run_case(api: Served, email: str, query: str, n: int, events: int = EVENTS) -> Case:
    async with httpx.AsyncClient(timeout=120, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        await _subscribers(api, http, 0)
        await asyncio.sleep(0.5)
        before = rss_mib(api.pid)
        clients = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "bench.fanout_clients", api.ws_url, TOKEN, str(n)),
            *(str(events), query),
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
        )
        assert clients.stdout is not None
        if (await clients.stdout.readline()).strip() != b"ready":
            raise SystemExit("the subscribers did not start")
        await _subscribers(api, http, n)
        await asyncio.sleep(1.0)
        idle = (rss_mib(api.pid) - before) * 1024 / n
        sent: dict[int, float] = {}
        writes: list[float] = []
        run, start = uuid.uuid4().hex[:8], time.perf_counter()
        for i in range(events):
            await asyncio.sleep(max(0.0, start + i * SPACING - time.perf_counter()))
            activity = {
                "contactEmail": email,
                "type": "REFER_FRIEND",
                "idempotencyKey": f"{run}{i}",
            }
            posted = time.perf_counter()
            body = (
                await http.post(api.url, json={"query": RECORD, "variables": {"input": activity}})
            ).json()
            writes.append((time.perf_counter() - posted) * 1000)
            sent[body["data"]["activityRecord"]["entry"]["totalAfter"]] = posted
        report = json.loads(await clients.stdout.readline())
        await clients.wait()
    last = {int(score): at for score, at in report["last"].items()}
    latencies = [(last[score] - at) * 1000 for score, at in sent.items() if score in last]
    missing = events * n - sum(report["count"].values())
    return Case(latencies, writes, missing, idle)


async def collector_pauses(api: Served) -> str:
    async with httpx.AsyncClient() as http:
        text = (await http.get(api.base + "/metrics")).text
    found: dict[str, list[str]] = {"collections_total": [], "pause_longest_seconds": []}
    for line in text.splitlines():
        if match := GC_LINE.match(line):
            value = float(match[3])
            shown = f"{value:.0f}" if match[1] == "collections_total" else f"{value * 1000:.1f} ms"
            found[match[1]].append(shown)
    longest = max((float(p.split()[0]) for p in found["pause_longest_seconds"]), default=0.0)
    verdict = targets.check("the API's longest GC pause under fan-out", longest, 50, " ms")
    return (
        f"collections by generation {' / '.join(found['collections_total'])}; longest pause "
        f"{' / '.join(found['pause_longest_seconds'])} {verdict}"
    )


async def idle_memory(api: Served, email: str, n: int) -> str:
    """Before any other case (the heap has not grown yet): N idle subscribers' RSS."""
    case = await run_case(api, email, SELECTIONS["minimal"], n, events=1)
    verdict = targets.check(
        f"idle API memory per subscriber (N={n})", case.kib_per_subscriber, 30, " KiB"
    )
    return f"  idle API memory: {case.kib_per_subscriber:.1f} KiB per subscriber (N={n}) {verdict}"


def _line(n: int, case: Case) -> str:
    lost = f", {case.missing} deliveries missing" if case.missing else ""
    # The change cannot reach anyone before it is committed: the write's own round trip (which
    # ends about when the change is out) is the floor of the latency.
    return (
        f"N={n} p50 {percentile(case.latencies, 50):.1f} ms, p99 "
        f"{percentile(case.latencies, 99):.1f} ms{lost} (the write p50 "
        f"{percentile(case.writes, 50):.1f}, p99 {percentile(case.writes, 99):.1f})"
    )


def report(rows: list[Row]) -> list[str]:
    lines = []
    for row in rows:
        cases = " | ".join(_line(n, case) for n, case in row.cases.items())
        lines.append(f"  {row.selection:9} {cases}")
        for n, limit in ((1, 50), (1000, 100)):
            if n in row.cases:
                p99 = percentile(row.cases[n].latencies, 99)
                verdict = targets.check(f"fan-out p99, {row.selection}, N={n}", p99, limit, " ms")
                lines.append(f"  {'':9} N={n} p99 {p99:.1f} ms {verdict}")
        low, high = min(row.cases), max(row.cases)
        if low != high:
            one, many = row.cases[low], row.cases[high]
            p50 = percentile(many.latencies, 50) / percentile(one.latencies, 50)
            p99 = percentile(many.latencies, 99) / percentile(one.latencies, 99)
            lines.append(
                f"  {'':9} ratio {high}:{low} p50 {p50:.2f}, p99 {p99:.2f}; the write's own round "
                f"trip p50 {percentile(one.writes, 50):.1f} ms -> "
                f"{percentile(many.writes, 50):.1f} ms"
            )
    return lines


async def measure_fanout(api: Served, email: str, subscribers: int) -> str:
    """The shared path on a running API: 1, 100 and N subscribers, each selection."""
    sizes = sorted({1, min(100, subscribers), subscribers})
    idle = await idle_memory(api, email, subscribers)
    rows = []
    for selection, query in SELECTIONS.items():
        row = Row(selection)
        for n in sizes:
            row.cases[n] = await run_case(api, email, query, n)
        rows.append(row)
    header = (
        f"live fan-out, activity -> the last of N scoreChanged subscribers ({EVENTS} changes "
        f"{SPACING * 1000:.0f} ms apart, subscribers in another process):"
    )
    return "\n".join([header, idle, *report(rows), f"  gc: {await collector_pauses(api)}"])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout")
    parser.add_argument("--modes", default="shared,old", help=f"of {', '.join(MODES)}")
    parser.add_argument("--sizes", default="1,100,1000")
    parser.add_argument("--selections", default=",".join(SELECTIONS))
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        embedded = EmbeddedMongo(Path(tmp), free_port())
        embedded.start()
        try:
            for mode in args.modes.split(","):
                database = f"fanout_{uuid.uuid4().hex[:8]}"
                with api_process(embedded.uri, database, tmp, **MODES[mode]) as api:
                    print(f"{mode}:", flush=True)
                    for line in asyncio.run(_mode(api, args.selections.split(","), sizes)):
                        print(line, flush=True)
        finally:
            embedded.stop()


async def _mode(api: Served, selections: list[str], sizes: list[int]) -> list[str]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(headers=headers, timeout=60) as http:
        [email] = await create_contacts(http, api.url, "fan", 1)
    rows = []
    print(await idle_memory(api, email, max(sizes)), flush=True)
    for selection in selections:
        row = Row(selection)
        for n in sizes:
            row.cases[n] = await run_case(api, email, SELECTIONS[selection], n)
            print(f"  {selection} {_line(n, row.cases[n])}", flush=True)
        rows.append(row)
    return [*report(rows), f"  gc: {await collector_pauses(api)}"]


if __name__ == "__main__":
    main()
