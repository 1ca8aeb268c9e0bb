"""Failures a retry gets past reach clients as retryable errors in the payload, never as
"Unexpected error": a contact locked by a transaction another process left open, a database that
cannot be reached."""

import asyncio
import time

import httpx
import pytest
from pymongo.errors import (
    AutoReconnect,
    DuplicateKeyError,
    NetworkTimeout,
    OperationFailure,
    PyMongoError,
    ServerSelectionTimeoutError,
)

from api.db.client import Store
from api.db.faults import CommitContention
from api.domain.access import Role
from api.domain.contacts import ContactDetails
from api.embedded import free_port
from api.services.errors import ErrorCode, passing_error
from api.writes import commit
from tests.conftest import ServerThread
from tests.crash_stack import Database
from tests.gql_ops import RECORD, make_contact

SCORE_SET = """mutation($input: ContactScoreSetInput!) {
  contactScoreSet(input: $input) { contact { score } errors { field message code } } }"""


def click(contact_id: str) -> tuple[str, str, dict]:
    item = {"contactEmail": "held@x.io", "type": "CLICK", "campaignId": "c", "idempotencyKey": "h"}
    return "activityRecord", RECORD, item


def score_set(contact_id: str) -> tuple[str, str, dict]:
    return "contactScoreSet", SCORE_SET, {"contactId": contact_id, "score": 10, "reason": "call"}


@pytest.mark.parametrize("mutation", [click, score_set])
async def test_a_contact_locked_by_an_open_transaction_answers_retry_later(
    api, store, monkeypatch, mutation
):
    monkeypatch.setattr(commit, "MAX_ROUNDS", 8)
    contact_id = await make_contact(api, "held@x.io")
    name, document, item = mutation(contact_id)
    # Another process's transaction, left open (as by an API killed with kill -9).
    async with await store.client.start_session() as other:
        other.start_transaction()
        await store.contacts.collection.update_one(
            {"_id": contact_id}, {"$set": {"held": True}}, session=other
        )
        started = time.monotonic()
        body = await api.call(document, {"input": item}, role=Role.EDITOR)
        waited = time.monotonic() - started
        await other.abort_transaction()

    assert "errors" not in body, body
    [error] = body["data"][name]["errors"]
    assert error["code"] == "RETRY_LATER" and "again" in error["message"], error
    assert waited < 5
    retried = await api.data(document, {"input": item}, role=Role.EDITOR)
    assert retried[name]["errors"] == []
    assert (await store.contacts.get(contact_id)).score == 10


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (CommitContention("busy"), ErrorCode.RETRY_LATER),
        (OperationFailure("WriteConflict", 112), ErrorCode.RETRY_LATER),
        (OperationFailure("NoSuchTransaction", 251), ErrorCode.RETRY_LATER),
        (
            PyMongoError("lost", error_labels=["UnknownTransactionCommitResult"]),
            ErrorCode.RETRY_LATER,
        ),
        (ServerSelectionTimeoutError("no server"), ErrorCode.UNAVAILABLE),
        (AutoReconnect("connection closed"), ErrorCode.UNAVAILABLE),
        (NetworkTimeout("timed out"), ErrorCode.UNAVAILABLE),
        (DuplicateKeyError("dup", 11000), None),
        (OperationFailure("bad query", 2), None),
        (ValueError("a bug"), None),
    ],
)
def test_passing_failures_are_told_from_bugs(error, code):
    answer = passing_error(error)
    assert (answer and answer.code) == code


async def _collections_settled(store: Store) -> None:
    """Wait until the API's start-up and first periodic rounds have created their collections:
    the embedded server killed while creating a table cannot open its files again (a SecantusDB
    limitation; its own crash tests cover killing it mid-write)."""
    names: list[str] = []
    for _ in range(30):
        await asyncio.sleep(0.5)
        now = sorted(await store.db.list_collection_names())
        if now == names:
            return
        names = now


async def test_a_database_that_is_down_answers_unavailable_then_writes_resume(tmp_path):
    database = Database(tmp_path, free_port())
    database.start()
    store = Store(database.uri, "down")
    await store.ensure_indexes()
    token, _ = await store.tokens.create("editor", Role.EDITOR)
    await store.contacts.upsert("down@x.io", ContactDetails())
    click = {"contactEmail": "down@x.io", "type": "CLICK", "campaignId": "c", "idempotencyKey": "d"}
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with ServerThread(database.uri, "down") as server:
            url = f"http://127.0.0.1:{server.port}"
            async with httpx.AsyncClient(timeout=30, headers=headers) as http:
                await _collections_settled(store)
                database.kill()
                started = time.monotonic()
                down = await http.post(
                    f"{url}/graphql", json={"query": RECORD, "variables": {"input": click}}
                )
                ready = await http.get(f"{url}/ready")
                assert time.monotonic() - started < 15
                assert down.status_code == 503 and down.headers["retry-after"], down.text
                [error] = down.json()["errors"]
                assert error["extensions"]["code"] == "UNAVAILABLE" and "again" in error["message"]
                assert ready.status_code == 503 and "database" in ready.json()["problems"][0]

                database.start()
                up = await http.post(
                    f"{url}/graphql", json={"query": RECORD, "variables": {"input": click}}
                )
                payload = up.json()["data"]["activityRecord"]
                assert payload["errors"] == [] and payload["entry"]["points"] == 10
    finally:
        store.close()
        database.stop()
