"""A few thousand generated requests against the real API (tests/fuzz.py): never an HTTP 5xx,
never "Unexpected error" for input that is merely wrong, and the API still answers after."""

import asyncio
import time

from api.domain.access import Role
from graphql_schema.schema import schema
from tests.fuzz import Fuzzer
from tests.gql_ops import make_contact

REQUESTS = 2400
CLIENTS = 6
ROLES = [Role.ADMIN, Role.EDITOR, Role.VIEWER, None]


async def test_generated_requests_get_no_server_error(api):
    await make_contact(api, "ann@example.com", country="India", mailingLists=["news"])
    await api.data(
        """mutation { scoreViewCreate(input: {name: "All", scoreCondition: {kind: AT_LEAST,
        min: 0}}) { scoreView { id } } }"""
    )
    failures: list[str] = []
    statuses: dict[int, int] = {}
    started = time.monotonic()

    async def client(number: int) -> None:
        fuzzer = Fuzzer(schema._schema, seed=number)
        for i in range(REQUESTS // CLIENTS):
            body = fuzzer.body()
            role = ROLES[(number + i) % len(ROLES)]
            headers = {"content-type": "application/json"}
            if role is not None:
                headers["Authorization"] = f"Bearer {api.tokens[role]}"
            response = await api.http.post(api.url, content=body, headers=headers)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            text = response.text
            if response.status_code == 200 and response.json().get("data"):
                statuses[0] = statuses.get(0, 0) + 1
            if response.status_code >= 500 or "Unexpected error" in text:
                failures.append(f"{response.status_code} {text[:300]}\n  <- {body[:300]!r}")

    await asyncio.gather(*(client(n) for n in range(CLIENTS)))
    elapsed = time.monotonic() - started
    answered = statuses.pop(0, 0)
    print(f"{REQUESTS} requests in {elapsed:.1f} s: {statuses}, {answered} with data")
    assert not failures, f"{len(failures)} failures, first ones:\n" + "\n".join(failures[:8])
    assert (await api.data("{ me { name } }", role=Role.VIEWER))["me"]["name"] == "test-viewer"
