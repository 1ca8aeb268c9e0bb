"""Bounded work per request, against the real API: malformed HTTP input is a clean 4xx, a limit
reached is a clear error naming it, answered fast, while other clients stay fast."""

import asyncio
import json
import logging
import time

import httpx
import pytest
import websockets
from graphql import OperationDefinitionNode

from api import limits as api_limits
from api.domain.access import Role
from api.limits import (
    LARGE_BODY_BYTES,
    MAX_BODY_BYTES,
    MAX_EXPENSIVE_IN_FLIGHT,
    MAX_LARGE_IN_FLIGHT,
    InFlight,
    expensive_in_flight,
    rate_key,
)
from api.ratelimit import RateLimiter
from graphql_schema.core.pagination import MAX_PAGE_SIZE
from graphql_schema.http import guard, query_cost
from graphql_schema.http.endpoint import MAX_SUBSCRIPTIONS_PER_CONNECTION
from graphql_schema.http.guard import DOCUMENT_CACHE, parse_limited
from graphql_schema.http.query_cost import measure
from graphql_schema.http.query_limits import MAX_COST
from graphql_schema.schema import schema
from tests.conftest import ServerThread
from tests.documents import sent_documents
from tests.gql_ops import RECORD_MANY, make_contact
from tests.ws import Subscriber

ME = "{ me { name } }"
JSON = {"content-type": "application/json"}


async def post(api, body, role: Role | None = Role.VIEWER) -> httpx.Response:
    headers = {**JSON, **({"Authorization": f"Bearer {api.tokens[role]}"} if role else {})}
    started = time.perf_counter()
    response = await api.http.post(api.url, content=body, headers=headers)
    assert time.perf_counter() - started < 1, "a refusal must come in under a second"
    return response


def refusal(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    errors = response.json()["errors"]
    assert errors[0]["extensions"]["code"] == code, errors
    return errors[0]["message"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"null", "not a JSON object"),
        (b'"x"', "not a JSON object"),
        (b"[]", "not a JSON object"),
        (b"\xff\xfe{", "not valid UTF-8"),
        (b"{" + b"x" * 10, "not JSON"),
        (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "MAX_JSON_DEPTH"),
        (b"[" * 100_000 + b"]" * 100_000, "MAX_JSON_DEPTH"),
        (json.dumps({"query": {"a": 1}}).encode(), "query must be a string"),
        (json.dumps({"variables": {}}).encode(), "No GraphQL query"),
        (json.dumps({"query": ME, "variables": "x"}).encode(), "variables must be"),
        (json.dumps({"query": ME, "operationName": 5}).encode(), "operationName must be"),
        (json.dumps({"query": ME, "extensions": [1]}).encode(), "extensions must be"),
        (b'{"query": "{ me { name } }", "variables": {"a": 1' + b"0" * 5000 + b"}}", "4300"),
        (json.dumps({"query": ME, "variables": {"s": "\ud800x"}}).encode(), "lone surrogate"),
        (json.dumps({"query": ME, "variables": {"l": [{"a": 1}] * 2001}}).encode(), "MAX_JSON"),
    ],
)
async def test_malformed_bodies_answer_400_with_a_json_error(api, body, says):
    assert says in refusal(await post(api, body), 400, "BAD_REQUEST")


async def test_get_queries_are_checked_alike(api):
    ok = await api.http.get(api.url, params={"query": ME})
    assert ok.status_code == 200 and ok.json()["errors"][0]["extensions"]["code"] == (
        "UNAUTHENTICATED"
    )
    bad = await api.http.get(api.url, params={"query": ME, "variables": "{x"})
    assert "variables is not JSON" in refusal(bad, 400, "BAD_REQUEST")
    mutation = await api.http.get(api.url, params={"query": "mutation { __typename }"})
    refusal(mutation, 400, "BAD_REQUEST")
    wrong_type = await api.http.post(api.url, content=b"query=x", headers={"content-type": "a/b"})
    assert "application/json" in refusal(wrong_type, 415, "BAD_REQUEST")


async def test_a_body_over_the_limit_is_refused_before_it_is_read(api):
    query = "{ me { " + "name " * 2_000_000 + "} }"
    body = json.dumps({"query": query}).encode()
    assert len(body) > 10_000_000
    message = refusal(await post(api, body), 413, "LIMIT_EXCEEDED")
    assert f"{MAX_BODY_BYTES}" in message and "MAX_BODY_BYTES" in message

    async def chunks():
        for _ in range(20):
            yield b" " * 100_000

    streamed = await post(api, chunks())
    refusal(streamed, 413, "LIMIT_EXCEEDED")
    me = await api.call(ME, role=Role.VIEWER)
    assert me["data"]["me"]["name"] == "test-viewer"


async def test_a_batch_of_1000_activities_fits_in_a_body(api):
    emails = [f"customer.{i}@example-company.com" for i in range(20)]
    for email in emails:
        await make_contact(api, email)
    batch = [
        {
            "contactEmail": emails[i % 20],
            "type": "CLICK",
            "campaignId": f"spring-newsletter-2026-{i % 7}",
            "url": f"https://www.example.com/pricing/plans?utm_source=newsletter&id={i}",
            "occurredAt": "2026-11-30T12:00:00Z",
            "idempotencyKey": f"evt-2026-11-30-{i:08d}-0f3a9c",
        }
        for i in range(1000)
    ]
    body = json.dumps({"query": RECORD_MANY, "variables": {"input": batch}})
    assert len(body) < MAX_BODY_BYTES / 3, len(body)
    data = await api.data(RECORD_MANY, {"input": batch}, role=Role.EDITOR)
    assert data["activitiesRecord"]["recordedCount"] == 1000


def aliases(count: int, field: str) -> str:
    return "{ " + " ".join(f"a{i}: {field}" for i in range(count)) + " }"


TIMELINES = (
    "contacts(first: 100) { edges { node { timeline(first: 100) { entries { points } } } } }"
)
HOSTILE = [
    # (document, role, what the refusal names)
    ("{ me { " + "name " * 200_000 + "} }", None, "MAX_QUERY_LENGTH"),
    ("{ me { " + "n " * 40_000 + "} }", None, "MAX_TOKENS"),
    ("{ me { " + "name " * 500 + "} }", None, "MAX_REPEATS"),
    (aliases(1000, TIMELINES), Role.VIEWER, "MAX_TOKENS"),
    (aliases(20, TIMELINES), Role.VIEWER, "MAX_COST"),
    (
        aliases(200, "scoringSimulate(input: {}) { simulation { contactsExamined } }"),
        Role.ADMIN,
        "MAX_TOKENS",
    ),
    (
        # A page size hidden in a variable's default counts as much as one sent.
        "query($n: Int = 100) " + aliases(2, TIMELINES.replace("first: 100", "first: $n"))[0:],
        Role.VIEWER,
        "MAX_COST",
    ),
    (aliases(31, "me { name }"), Role.VIEWER, "MAX_ALIASES"),
    (
        aliases(2, "scoringSimulate(input: {}) { simulation { contactsExamined } }"),
        Role.ADMIN,
        "MAX_SIMULATIONS",
    ),
    (
        # No aliases and no repeats over 10, yet 10 x 10 fragments of 20 fields each
        "{ "
        + "...Q " * 10
        + "} fragment Q on Query { contacts(first: 1) { edges { node { "
        + "...C " * 10
        + "} } } } fragment C on Contact { id email firstName lastName country "
        + "score classification mailingLists fields { name value } timeline(first: 1) { "
        + "entries { id points totalAfter reason kind at } } }",
        Role.VIEWER,
        "MAX_SELECTIONS",
    ),
    ("{ " + "a { " * 20 + "b" + " }" * 20 + " }", Role.VIEWER, "MAX_DEPTH"),
    (
        "{ me { ...F0 } } "
        + " ".join(f"fragment F{i} on Viewer {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40))
        + " fragment F40 on Viewer { name }",
        Role.VIEWER,
        "MAX_REPEATS",
    ),
    (
        "{ me { name } } " + " ".join(f"fragment F{i} on Viewer {{ name }}" for i in range(60)),
        Role.VIEWER,
        "MAX_FRAGMENTS",
    ),
]


@pytest.mark.parametrize(("document", "role", "limit"), HOSTILE)
async def test_hostile_documents_are_refused_fast_naming_the_limit(api, document, role, limit):
    response = await post(api, json.dumps({"query": document}), role)
    message = refusal(response, 200, "LIMIT_EXCEEDED")
    assert limit in message


async def test_the_cost_counts_page_sizes(api):
    under = "{ contacts(first: 100) { edges { node { timeline(first: 100) { totalCount } } } } }"
    assert "errors" not in await api.call(under, role=Role.VIEWER)
    over = aliases(2, TIMELINES)
    message = refusal(await post(api, json.dumps({"query": over})), 200, "LIMIT_EXCEEDED")
    assert "20200" in message and f"{MAX_COST}" in message


async def test_expensive_fields_are_capped_when_resolved(api):
    create = """mutation($name: String!) { scoreViewCreate(input: {name: $name,
      scoreCondition: {kind: AT_LEAST, min: 0}}) { scoreView { id } } }"""
    for name in ("one", "two"):
        await api.data(create, {"name": name})
    body = await api.call("{ scoreViews { summaryPdf { filename } } }", role=Role.VIEWER)
    assert "MAX_PDFS" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
    one = await api.data("{ scoreViews { name } }", role=Role.VIEWER)
    assert len(one["scoreViews"]) == 2


async def test_expensive_requests_in_flight_are_capped_per_token(api):
    create = """mutation { scoreViewCreate(input: {name: "v", scoreCondition: {kind: AT_LEAST,
      min: 0}}) { scoreView { id summaryPdfPath } } }"""
    view = (await api.data(create))["scoreViewCreate"]["scoreView"]
    simulate = "{ scoringSimulate(input: {}) { simulation { contactsExamined } } }"
    pdf_url = api.url.removesuffix("/graphql") + view["summaryPdfPath"]
    viewer = {"Authorization": f"Bearer {api.tokens[Role.VIEWER]}"}
    # The server runs in this process: hold every slot of the admin's and the viewer's tokens,
    # as if their expensive requests were still running.
    keys = [rate_key(api.tokens[Role.ADMIN]), rate_key(api.tokens[Role.VIEWER])]
    keys *= MAX_EXPENSIVE_IN_FLIGHT
    assert all(expensive_in_flight.acquire(key) for key in keys)
    try:
        busy = await api.call(simulate)
        assert busy["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
        assert "MAX_EXPENSIVE_IN_FLIGHT" in busy["errors"][0]["message"]
        assert "errors" not in await api.call(ME)
        download = await api.http.get(pdf_url, headers=viewer)
        assert "MAX_EXPENSIVE_IN_FLIGHT" in refusal(download, 429, "LIMIT_EXCEEDED")
    finally:
        for key in keys:
            expensive_in_flight.release(key)
    assert "errors" not in await api.call(simulate)
    assert (await api.http.get(pdf_url, headers=viewer)).status_code == 200


async def test_a_subscription_over_http_is_a_bad_request(api):
    body = await api.call("subscription { scoreChanged { score } }", role=Role.VIEWER)
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert "websocket" in body["errors"][0]["message"]


async def test_subscriptions_per_connection_are_limited(api):
    query = "subscription { scoreChanged { score } }"
    async with Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as sub:
        for i in range(MAX_SUBSCRIPTIONS_PER_CONNECTION):
            await sub.subscribe(query, id_=str(i))
        await api.wait_subscribers(MAX_SUBSCRIPTIONS_PER_CONNECTION)
        await sub.subscribe(query, id_="one-more")
        refused = await sub.next()
    assert refused["id"] == "one-more" and refused["type"] == "error"
    assert "MAX_SUBSCRIPTIONS_PER_CONNECTION" in refused["payload"][0]["message"]


@pytest.mark.parametrize(
    "message",
    [
        "[]",
        "null",
        '{"type": "ping", "payload": {"a": 1' + "0" * 5000 + "}}",
        '{"type": "ping", "payload": {"s": "\\udfff"}}',
        json.dumps({"id": "1", "type": "subscribe", "payload": {"query": ME, "variables": [1]}}),
        json.dumps({"id": "1", "type": "subscribe", "payload": {"query": 5}}),
        json.dumps({"id": "1", "type": "subscribe", "payload": {"query": ME, "operationName": 5}}),
    ],
)
async def test_malformed_websocket_messages_close_with_4400(api, message):
    async with Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as sub:
        await sub.ws.send(message)
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(sub.ws.recv(), 5)
    assert closed.value.rcvd.code == 4400, closed.value.rcvd


@pytest.mark.parametrize(
    ("document", "says"),
    [
        ("{ me { " + "n " * 3000 + "} }", "MAX_TOKENS"),
        ("{ me { " + "name " * 30_000 + "} }", "MAX_QUERY_LENGTH"),
    ],
)
async def test_documents_refused_while_parsing_say_why_over_a_websocket(api, document, says):
    async with Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as sub:
        await sub.subscribe(document)
        answer = await sub.next()
        assert answer["type"] == "error", answer
        assert says in answer["payload"][0]["message"]
        await sub.subscribe("{ me { name } }", id_="2")
        assert (await sub.next())["payload"]["data"]["me"]["name"]


async def test_a_syntax_error_over_a_websocket_closes_it_saying_why(api):
    """As graphql-transport-ws asks (4400 with the reason), unlike the limits above."""
    async with Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as sub:
        await sub.subscribe("{ me { name }")
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await sub.next()
    assert closed.value.rcvd.code == 4400
    assert "Syntax Error" in closed.value.rcvd.reason


async def test_other_clients_stay_fast_while_hostile_requests_run(api):
    hostile = [json.dumps({"query": document}) for document, _, _ in HOSTILE] + [
        # Within every limit, as costly to parse and validate as a document may be.
        json.dumps({"query": aliases(30, "contacts(first: 7) { totalCount }")}),
        json.dumps(
            {
                "query": "{ contacts(filter: {mailingLists: ["
                + ", ".join(f'"{i}"' for i in range(2400))
                + "]}) { totalCount } }"
            }
        ),
        json.dumps({"query": ME, "variables": {"x": [1] * 200_000}}),
    ]
    stop = asyncio.Event()

    async def attacker(bodies: list[str]) -> None:
        async with httpx.AsyncClient(timeout=60) as http:
            while not stop.is_set():
                for body in bodies:
                    response = await http.post(api.url, content=body, headers=JSON)
                    assert response.status_code < 500

    attackers = [asyncio.create_task(attacker(hostile[i::4])) for i in range(4)]
    await asyncio.sleep(0.5)
    latencies = []
    for _ in range(20):
        started = time.perf_counter()
        data = await api.data(ME, role=Role.VIEWER)
        latencies.append(time.perf_counter() - started)
        assert data["me"]["name"] == "test-viewer"
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.gather(*attackers)
    latencies.sort()
    print("viewer latencies (s):", [round(x, 3) for x in latencies])
    assert latencies[len(latencies) // 2] < 0.25 and latencies[-1] < 1, latencies


async def test_refusals_log_one_line_and_no_traceback(api, caplog):
    caplog.set_level(logging.INFO)
    server_errors = logging.getLogger("uvicorn.error")
    server_errors.addHandler(caplog.handler)
    bodies = [b"null", b"\xff", json.dumps({"query": "{ nope }"}).encode()] + [
        json.dumps({"query": document}).encode() for document, _, _ in HOSTILE[:4]
    ]
    for body in bodies:
        await api.http.post(api.url, content=body, headers=JSON)
    await api.call("{ contacts { totalCount } }", role=None)
    server_errors.removeHandler(caplog.handler)
    records = [r for r in caplog.records if r.name.startswith(("graphql_schema", "strawberry"))]
    assert records, "refusals are logged"
    assert all(r.levelno < logging.ERROR and r.exc_info is None for r in records), records
    assert all("\n" not in r.getMessage() for r in records)
    uvicorn_errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert uvicorn_errors == []


async def test_each_token_is_rate_limited(mongo_uri, database_name, store, monkeypatch):
    monkeypatch.setenv("SCORING_RATE_LIMIT", "1")
    monkeypatch.setenv("SCORING_RATE_BURST", "3")
    viewer, _ = await store.tokens.create("viewer", Role.VIEWER)
    other, _ = await store.tokens.create("other", Role.VIEWER)
    with ServerThread(mongo_uri, database_name) as server:
        url = f"http://127.0.0.1:{server.port}/graphql"
        async with httpx.AsyncClient(timeout=10) as http:

            async def ask(token: str | None) -> httpx.Response:
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                return await http.post(url, json={"query": ME}, headers=headers)

            for _ in range(3):
                assert (await ask(viewer)).status_code == 200
            limited = await ask(viewer)
            assert "SCORING_RATE_LIMIT" in refusal(limited, 429, "RATE_LIMITED")
            assert 1 <= int(limited.headers["Retry-After"]) <= 2
            for spelling in (f"bearer {viewer}", viewer, f"Bearer   {viewer}"):
                again = await http.post(
                    url, json={"query": ME}, headers={"Authorization": spelling}
                )
                assert again.status_code == 429, spelling  # one token, one bucket
            assert (await ask(other)).status_code == 200
            for _ in range(3):
                assert (await ask(None)).status_code == 200
            refusal(await ask(None), 429, "RATE_LIMITED")
            assert (await http.get(f"http://127.0.0.1:{server.port}/health")).status_code == 200
            with pytest.raises(websockets.InvalidStatus):
                await websockets.connect(server_ws(server), subprotocols=["graphql-transport-ws"])


async def test_made_up_tokens_are_limited_per_address(mongo_uri, database_name, store, monkeypatch):
    """Each made-up token would have a full bucket of its own: rejected tokens count against the
    address, which is then refused before a lookup; a token accepted lately still gets in."""
    monkeypatch.setattr(api_limits, "REJECTED_TOKENS_RATE", 0.01)  # no refill during the test
    viewer, _ = await store.tokens.create("viewer", Role.VIEWER)
    with ServerThread(mongo_uri, database_name) as server:
        url = f"http://127.0.0.1:{server.port}/graphql"
        async with httpx.AsyncClient(timeout=10) as http:

            async def ask(token: str) -> httpx.Response:
                headers = {"Authorization": f"Bearer {token}"}
                return await http.post(url, json={"query": ME}, headers=headers)

            assert (await ask(viewer)).status_code == 200  # known to be good from now on
            burst = api_limits.REJECTED_TOKENS_BURST
            statuses = [(await ask(f"cs_made-up-{i}")).status_code for i in range(burst + 3)]
            assert statuses == [200] * burst + [429] * 3
            limited = await ask("cs_one-more")
            assert "REJECTED_TOKENS_BURST" in refusal(limited, 429, "RATE_LIMITED")
            assert int(limited.headers["Retry-After"]) >= 1
            assert (await ask(viewer)).json()["data"]["me"]["name"] == "viewer"
            with pytest.raises(websockets.InvalidStatus):
                await websockets.connect(server_ws(server), subprotocols=["graphql-transport-ws"])


async def test_made_up_tokens_sent_at_once_are_limited_alike(
    mongo_uri, database_name, store, monkeypatch
):
    """Counted before the lookup: requests in flight together cannot all pass the check."""
    monkeypatch.setattr(api_limits, "REJECTED_TOKENS_RATE", 0.01)
    with ServerThread(mongo_uri, database_name) as server:
        url = f"http://127.0.0.1:{server.port}/graphql"
        limits = httpx.Limits(max_connections=300)
        async with httpx.AsyncClient(timeout=30, limits=limits) as http:
            responses = await asyncio.gather(
                *(
                    http.post(url, json={"query": ME}, headers={"Authorization": f"cs_x{i}"})
                    for i in range(300)
                )
            )
    looked_up = [r for r in responses if r.status_code == 200]
    assert len(looked_up) == api_limits.REJECTED_TOKENS_BURST
    assert all(r.status_code == 429 for r in responses if r.status_code != 200)


async def test_operations_over_a_websocket_count_against_the_rate(
    mongo_uri, database_name, store, monkeypatch
):
    monkeypatch.setenv("SCORING_RATE_LIMIT", "0.01")
    monkeypatch.setenv("SCORING_RATE_BURST", "3")
    viewer, _ = await store.tokens.create("viewer", Role.VIEWER)
    with ServerThread(mongo_uri, database_name) as server:
        async with Subscriber(server_ws(server), viewer) as sub:
            for number in range(3):
                await sub.subscribe(ME, id_=str(number))
                answer = await sub.next()
                assert answer["payload"]["data"]["me"]["name"] == "viewer"
                assert (await sub.next())["type"] == "complete"
            await sub.subscribe(ME, id_="over")
            refused = await sub.next()
    assert refused["type"] == "error", refused
    assert refused["payload"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert "SCORING_RATE_LIMIT" in refused["payload"][0]["message"]


async def test_large_bodies_in_flight_are_limited_per_caller(api):
    """Bodies over LARGE_BODY_BYTES queue for one worker thread: a caller may hold only
    MAX_LARGE_IN_FLIGHT of them, so that nobody fills the queue (or memory) for everyone."""
    port = int(api.url.split(":")[2].split("/")[0])
    token = api.tokens[Role.VIEWER]
    head = (
        f"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {token}\r\nContent-Length: {LARGE_BODY_BYTES + 10}\r\n\r\n"
    ).encode()
    held = []
    for _ in range(MAX_LARGE_IN_FLIGHT):
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(head + b"{")  # and the rest never comes
        await writer.drain()
        held.append(writer)
    await asyncio.sleep(0.3)
    body = json.dumps({"query": ME, "variables": {"pad": "x" * LARGE_BODY_BYTES}})
    refused = await post(api, body, Role.VIEWER)
    assert "MAX_LARGE_IN_FLIGHT" in refusal(refused, 429, "RATE_LIMITED")
    assert (await post(api, json.dumps({"query": ME}), Role.VIEWER)).status_code == 200
    for writer in held:
        writer.close()
    await asyncio.sleep(0.3)
    assert (await post(api, body, Role.VIEWER)).status_code == 200


def server_ws(server: ServerThread) -> str:
    return f"ws://127.0.0.1:{server.port}/graphql"


def test_the_dashboard_and_the_tests_stay_under_every_limit():
    documents = sent_documents()
    assert sum(name.startswith("dashboard") for name in documents) >= 10
    for name, text in documents.items():
        document = parse_limited(text)
        # The worst case: every variable (every page size among them) at the largest page.
        largest = {
            declared.variable.name.value: MAX_PAGE_SIZE
            for definition in document.definitions
            if isinstance(definition, OperationDefinitionNode)
            for declared in definition.variable_definitions or ()
        }
        measured = measure(document, schema._schema, largest)
        assert query_cost.refusal(measured) is None, (name, query_cost.refusal(measured))


async def test_documents_sent_again_are_parsed_and_validated_once(api):
    invalid = "{ me { name noSuchField } }"
    parse_limited.cache_clear()
    answers = []
    for _ in range(3):
        answers.append((await post(api, json.dumps({"query": invalid}))).json())
        ok = (await post(api, json.dumps({"query": ME}))).json()
        assert ok["data"]["me"]["name"], ok
    assert answers[0]["errors"][0]["message"].startswith("Cannot query field 'noSuchField'")
    assert answers[1] == answers[0] == answers[2], "a remembered verdict is the same verdict"
    assert parse_limited.cache_info().hits >= 4
    # Bounded however many distinct documents arrive.
    for i in range(DOCUMENT_CACHE + 50):
        await post(api, json.dumps({"query": f"{{ me {{ n{i}: name }} }}"}))
    assert parse_limited.cache_info().currsize == DOCUMENT_CACHE
    assert len(guard._validated._errors) == DOCUMENT_CACHE


def test_a_token_bucket_refills_at_its_rate():
    now = [0.0]
    limiter = RateLimiter(rate=2, burst=3, max_callers=2, clock=lambda: now[0])
    assert [limiter.take("a") for _ in range(3)] == [0, 0, 0]
    assert limiter.take("a") == pytest.approx(0.5)
    assert limiter.take("b") == 0
    now[0] = 1.0
    assert limiter.take("a") == 0 and limiter.take("a") == 0
    assert limiter.take("a") > 0
    limiter.take("c")
    assert len(limiter.buckets) == 2 and "b" not in limiter.buckets
    assert RateLimiter(rate=0, burst=1).take("a") == 0


def test_in_flight_counts_per_key():
    running = InFlight(2)
    assert running.acquire("a") and running.acquire("a") and not running.acquire("a")
    assert running.acquire("b")
    running.release("a")
    assert running.acquire("a")
    for key in ("a", "a", "b"):
        running.release(key)
    assert running.running == {}
