"""Traffic the benchmarks send to a running API: activities in batches over GraphQL, and the
latency of their score changes to a websocket subscriber; an API process to send them to."""

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import websockets

from api.embedded import free_port

ROOT = Path(__file__).resolve().parent.parent
BATCH = 500
TOKEN = "cs_bench_token"
RECORD_MANY = """mutation($input: [ActivityInput!]!) {
  activitiesRecord(input: $input) { recordedCount errors { message } } }"""
RECORD = """mutation($input: ActivityInput!) {
  activityRecord(input: $input) { entry { points } errors { message } } }"""
SUBSCRIBE = "subscription { scoreChanged { contactId score at } }"


def activities(emails: list[str], count: int, run: str) -> list[dict]:
    kinds = ["OPEN", "OPEN", "CLICK", "OPEN", "REPLY"]
    return [
        {
            "contactEmail": emails[i % len(emails)],
            "type": kinds[i % len(kinds)],
            "campaignId": f"campaign-{(i // len(emails)) % 7}",
            "idempotencyKey": f"{run}-{i}",
        }
        for i in range(count)
    ]


async def create_contacts(http: httpx.AsyncClient, url: str, prefix: str, count: int) -> list[str]:
    emails = [f"{prefix}{i}@example.com" for i in range(count)]
    for start in range(0, count, 25):
        ops = "".join(
            f'c{i}: contactUpsert(input: {{email: "{e}"}}) {{ errors {{ message }} }} '
            for i, e in enumerate(emails[start : start + 25])
        )
        await http.post(url, json={"query": f"mutation {{ {ops} }}"})
    return emails


async def graphql_ingest(http: httpx.AsyncClient, url: str, items: list[dict]) -> float:
    started = time.perf_counter()
    for start in range(0, len(items), BATCH):
        body = (
            await http.post(
                url,
                json={"query": RECORD_MANY, "variables": {"input": items[start : start + BATCH]}},
            )
        ).json()
        result = body["data"]["activitiesRecord"]
        assert not result["errors"], result["errors"]
    return len(items) / (time.perf_counter() - started)


async def live_latency(
    http: httpx.AsyncClient, url: str, ws_url: str, email: str, n: int, key: str = "lat"
) -> list[float]:
    async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {TOKEN}"}})
        )
        await ws.recv()
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
        await asyncio.sleep(0.5)
        latencies = []
        for i in range(n):
            sent = time.perf_counter()
            await http.post(
                url,
                json={
                    "query": RECORD,
                    "variables": {
                        "input": {
                            "contactEmail": email,
                            "type": "REFER_FRIEND",
                            "idempotencyKey": f"{key}-{i}",
                        }
                    },
                },
            )
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), 10))
                if message["type"] == "next":
                    break
            latencies.append((time.perf_counter() - sent) * 1000)
        return latencies


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@dataclass(frozen=True)
class Served:
    base: str
    pid: int

    @property
    def url(self) -> str:
        return f"{self.base}/graphql"

    @property
    def ws_url(self) -> str:
        return self.url.replace("http", "ws", 1)


@contextlib.contextmanager
def api_process(uri: str, database: str, data_dir: str, **settings: str) -> Iterator[Served]:
    """`python -m api` on a free port (the bench token, no demo data, no rate limit, and these
    settings), once /health answers; its log goes to a file in data_dir."""
    port = free_port()
    env = {
        **os.environ,
        "MONGODB_URI": uri,
        "SCORING_DATABASE": database,
        "SCORING_PORT": str(port),
        "SCORING_DATA_DIR": data_dir,
        "SCORING_DEV_TOKEN": TOKEN,
        "SCORING_DEMO_DATA": "0",
        "SCORING_RATE_LIMIT": "0",
        **settings,
    }
    log = open(Path(data_dir) / f"api-{port}.log", "w")  # noqa: SIM115 - closed below
    api = subprocess.Popen(
        [sys.executable, "-m", "api"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or api.poll() is not None:
                raise SystemExit("the API did not start")
            time.sleep(0.2)
        yield Served(f"http://127.0.0.1:{port}", api.pid)
    finally:
        api.send_signal(signal.SIGTERM)
        api.wait(timeout=30)
        log.close()
