"""What logging and metrics cost: ingestion and live latency through two API processes on one
database server, one with request logs (JSON, to a file) and metrics, one with both off
(SCORING_ACCESS_LOG=0, SCORING_METRICS=0), measured in rounds of turns (on, off, off, on), so
that warming up and the machine's other work favour neither."""

import uuid
from dataclasses import dataclass

import httpx
from motor.motor_asyncio import AsyncIOMotorClient

from bench.traffic import (
    TOKEN,
    Served,
    activities,
    api_process,
    create_contacts,
    graphql_ingest,
    live_latency,
    percentile,
)

ON = {"SCORING_ACCESS_LOG": "1", "SCORING_METRICS": "1", "SCORING_LOG_FORMAT": "json"}
OFF = {"SCORING_ACCESS_LOG": "0", "SCORING_METRICS": "0"}
HEADERS = {"Authorization": f"Bearer {TOKEN}"}


@dataclass
class Side:
    rates: list[float]
    latencies: list[float]

    @property
    def rate(self) -> float:
        return sum(self.rates) / len(self.rates)

    @property
    def p50(self) -> float:
        return percentile(self.latencies, 50)

    @property
    def p99(self) -> float:
        return percentile(self.latencies, 99)


async def _turn(api: Served, side: Side, emails: list[str], count: int, samples: int) -> None:
    run = uuid.uuid4().hex[:6]
    async with httpx.AsyncClient(headers=HEADERS, timeout=120) as http:
        side.rates.append(await graphql_ingest(http, api.url, activities(emails, count, run)))
        side.latencies += await live_latency(
            http, api.url, api.ws_url, emails[0], samples, f"lat-{run}"
        )


async def measure_observability(
    uri: str, data_dir: str, contacts: int, count: int, samples: int, rounds: int = 2
) -> tuple[Side, Side]:
    """(on, off): each side's ingestion rates and live latencies."""
    on, off = Side([], []), Side([], [])
    database = f"bench_obs_{uuid.uuid4().hex[:8]}"
    try:
        with (
            api_process(uri, f"{database}_on", data_dir, **ON) as api_on,
            api_process(uri, f"{database}_off", data_dir, **OFF) as api_off,
        ):
            emails = {}
            for api in (api_on, api_off):
                async with httpx.AsyncClient(headers=HEADERS, timeout=120) as http:
                    emails[api] = await create_contacts(http, api.url, "obs", contacts)
                    await graphql_ingest(http, api.url, activities(emails[api], 500, "warm"))
            for _ in range(rounds):
                for api, side in ((api_on, on), (api_off, off), (api_off, off), (api_on, on)):
                    await _turn(api, side, emails[api], count, samples)
    finally:
        client: AsyncIOMotorClient = AsyncIOMotorClient(uri)
        for suffix in ("on", "off"):
            await client.drop_database(f"{database}_{suffix}")
        client.close()
    return on, off
