"""The latency of a page of 100 contacts with their timelines: what a list screen asks, and what
costs one or two queries per contact when its nested fields are not batched (N+1)."""

import time

import httpx

from bench.traffic import percentile

PAGE = """{ contacts(first: 100) { edges { node {
  email score classification timeline(first: 5) { entries { points reason } totalCount }
} } } }"""


async def measure_timelines(url: str, token: str, samples: int = 20) -> str:
    """The line to print: p50 and p99 of the page over `samples` requests after a warm-up."""
    headers = {"Authorization": f"Bearer {token}"}
    latencies = []
    async with httpx.AsyncClient(headers=headers, timeout=120) as http:
        for i in range(samples + 2):
            started = time.perf_counter()
            body = (await http.post(url, json={"query": PAGE})).json()
            elapsed = (time.perf_counter() - started) * 1000
            assert "errors" not in body, body["errors"]
            if i >= 2:  # the first requests warm the process up
                latencies.append(elapsed)
    edges = body["data"]["contacts"]["edges"]
    entries = sum(len(e["node"]["timeline"]["entries"]) for e in edges)
    return (
        f"contacts(first: 100) with timeline(first: 5) and totalCount ({len(edges)} contacts, "
        f"{entries} entries): p50 {percentile(latencies, 50):.0f} ms, "
        f"p99 {percentile(latencies, 99):.0f} ms over {samples} requests"
    )
