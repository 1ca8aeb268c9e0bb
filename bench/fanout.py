"""How many live subscribers one API process feeds: every `scoreChanged` subscriber gets every
change; the latency is until the LAST subscriber has it, for 1 subscriber and for many."""

import asyncio
import json
import time

import httpx
import websockets
from websockets.asyncio.client import ClientConnection

SUBSCRIBE = "subscription { scoreChanged { contactId score } }"
RECORD = """mutation($input: ActivityInput!) {
  activityRecord(input: $input) { entry { points } errors { message } } }"""


async def _subscriber(ws_url: str, token: str) -> ClientConnection:
    ws = await websockets.connect(
        ws_url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")]
    )
    init = {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
    await ws.send(json.dumps(init))
    await ws.recv()
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
    return ws


async def _next_change(ws: ClientConnection) -> None:
    while json.loads(await asyncio.wait_for(ws.recv(), 30))["type"] != "next":
        pass


async def fanout_latency(
    url: str, token: str, email: str, subscribers: int, changes: int, run: str
) -> list[float]:
    """Milliseconds from sending an activity until every subscriber has its change."""
    ws_url = url.replace("http", "ws", 1)
    sockets = await asyncio.gather(*(_subscriber(ws_url, token) for _ in range(subscribers)))
    try:
        await asyncio.sleep(1.0)
        latencies = []
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(headers=headers, timeout=60) as http:
            for i in range(changes):
                sent = time.perf_counter()
                activity = {
                    "contactEmail": email,
                    "type": "REFER_FRIEND",
                    "idempotencyKey": f"{run}-{i}",
                }
                response = await http.post(
                    url, json={"query": RECORD, "variables": {"input": activity}}
                )
                assert not response.json()["data"]["activityRecord"]["errors"]
                await asyncio.gather(*(_next_change(ws) for ws in sockets))
                latencies.append((time.perf_counter() - sent) * 1000)
        return latencies
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


async def measure_fanout(url: str, token: str, email: str, subscribers: int) -> str:
    """One subscriber against many, in one run: the line the bench prints."""
    one = await fanout_latency(url, token, email, 1, 50, "fan1")
    many = await fanout_latency(url, token, email, subscribers, 50, f"fan{subscribers}")

    def p(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return (
        f"live fan-out, activity -> the last of N scoreChanged subscribers: N=1 p50 "
        f"{p(one, 0.5):.1f} ms, p99 {p(one, 0.99):.1f} ms; N={subscribers} p50 {p(many, 0.5):.1f} "
        f"ms, p99 {p(many, 0.99):.1f} ms; ratio p50 {p(many, 0.5) / p(one, 0.5):.2f}"
    )
