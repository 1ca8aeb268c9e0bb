"""Every answer carries X-Request-Id and is logged in one access line with it: a 500 from
Starlette's error handler and each refusal answered before the endpoint (rate limit, body limit,
foreign origin, unreachable database), over real HTTP to the real app."""

import logging
from collections.abc import Iterator

import httpx
import pytest
from starlette.requests import Request
from starlette.routing import Route

from api.db.client import Store
from api.domain.access import Role
from api.embedded import free_port
from api.observability.logs import RequestFields
from tests.conftest import ServerThread
from tests.crash_stack import Database

ME = {"query": "{ me { name } }"}


@pytest.fixture
def access(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.INFO, logger="api.access")
    yield caplog


def assert_identified(
    answer: httpx.Response, sent: str, status: int, access: pytest.LogCaptureFixture
) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers.get("x-request-id") == sent
    lines = [
        r for r in access.records if r.name == "api.access" and getattr(r, "request_id", 0) == sent
    ]
    assert len(lines) == 1, [r.getMessage() for r in lines]
    assert getattr(lines[0], "status", None) == status


def test_a_500_from_the_error_handler_carries_the_request_id(mongo_uri, database_name, access):
    """...and its traceback is logged once, with the request id (not by uvicorn, without it)."""
    access.handler.addFilter(RequestFields())
    server = ServerThread(mongo_uri, database_name)

    async def broken(request: Request) -> None:
        raise RuntimeError("a bug")

    server.server.config.app.router.routes.append(Route("/broken", broken))
    with server, httpx.Client(timeout=10) as http:
        answer = http.get(
            f"http://127.0.0.1:{server.port}/broken", headers={"X-Request-Id": "bug-500"}
        )
    assert_identified(answer, "bug-500", 500, access)
    [failure] = [r for r in access.records if r.levelno >= logging.ERROR]
    assert failure.name == "api.errors" and getattr(failure, "request_id", None) == "bug-500"
    assert failure.exc_info and "a bug" in str(failure.exc_info[1])


def test_a_rate_limit_refusal_carries_the_request_id(mongo_uri, database_name, access, monkeypatch):
    monkeypatch.setenv("SCORING_RATE_LIMIT", "0.01")
    monkeypatch.setenv("SCORING_RATE_BURST", "2")
    with ServerThread(mongo_uri, database_name) as server, httpx.Client(timeout=10) as http:
        url = f"http://127.0.0.1:{server.port}/graphql"
        answers = [http.post(url, json=ME, headers={"X-Request-Id": f"rate-{n}"}) for n in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert_identified(answers[2], "rate-2", 429, access)


def test_a_body_over_the_limit_carries_the_request_id(mongo_uri, database_name, access):
    with ServerThread(mongo_uri, database_name) as server, httpx.Client(timeout=10) as http:
        answer = http.post(
            f"http://127.0.0.1:{server.port}/graphql",
            content=b"x" * (2 * 1024 * 1024),
            headers={"X-Request-Id": "big-body", "content-type": "application/json"},
        )
    assert_identified(answer, "big-body", 413, access)


def test_a_foreign_origin_refusal_carries_the_request_id(mongo_uri, database_name, access):
    with ServerThread(mongo_uri, database_name) as server, httpx.Client(timeout=10) as http:
        answer = http.post(
            f"http://127.0.0.1:{server.port}/graphql",
            json=ME,
            headers={"X-Request-Id": "evil-origin", "Origin": "http://evil.example"},
        )
    assert_identified(answer, "evil-origin", 403, access)


async def test_an_unreachable_database_carries_the_request_id(tmp_path, access):
    database = Database(tmp_path, free_port())
    database.start()
    store = Store(database.uri, "gone")
    try:
        await store.ensure_indexes()
        token, _ = await store.tokens.create("viewer", Role.VIEWER)
        with ServerThread(database.uri, "gone") as server:
            database.kill()
            async with httpx.AsyncClient(timeout=30) as http:
                answer = await http.post(
                    f"http://127.0.0.1:{server.port}/graphql",
                    json=ME,
                    headers={"X-Request-Id": "db-down", "Authorization": f"Bearer {token}"},
                )
        assert_identified(answer, "db-down", 503, access)
    finally:
        store.close()
        database.stop()
