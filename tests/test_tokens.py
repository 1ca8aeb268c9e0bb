"""API tokens: admins create them; the secret is shown once and works at once."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from api.cli.token import parse, run
from api.db.tokens import digest
from api.domain.access import Role
from api.limits import RejectedTokens, rate_key

CREATE = """
mutation($input: ApiTokenCreateInput!) {
  apiTokenCreate(input: $input) { token apiToken { name role } errors { field code message } }
}"""


async def test_admin_creates_a_token_that_works(api):
    created = await api.data(CREATE, {"input": {"name": "crm-sync", "role": "EDITOR"}})
    payload = created["apiTokenCreate"]
    assert payload["errors"] == [] and payload["apiToken"] == {"name": "crm-sync", "role": "EDITOR"}
    me = await api.call("{ me { name role } }", token=payload["token"])
    assert me["data"]["me"] == {"name": "crm-sync", "role": "EDITOR"}
    names = {t["name"] for t in (await api.data("{ apiTokens { name } }"))["apiTokens"]}
    assert "crm-sync" in names


async def test_token_bad_input_and_roles(api):
    await api.data(CREATE, {"input": {"name": "twice", "role": "VIEWER"}})
    again = await api.data(CREATE, {"input": {"name": "twice", "role": "ADMIN"}})
    assert again["apiTokenCreate"]["errors"][0]["code"] == "CONFLICT"
    assert again["apiTokenCreate"]["token"] is None
    blank = await api.data(CREATE, {"input": {"name": " ", "role": "ADMIN"}})
    assert blank["apiTokenCreate"]["errors"][0]["code"] == "REQUIRED"
    editor = await api.call(
        CREATE, {"input": {"name": "sneaky", "role": "ADMIN"}}, role=Role.EDITOR
    )
    assert editor["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    listing = await api.call("{ apiTokens { name } }", role=Role.VIEWER)
    assert listing["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    names = {t["name"] for t in (await api.data("{ apiTokens { name } }"))["apiTokens"]}
    assert "sneaky" not in names and "twice" in names


TOKENS = """{ apiTokens { id name role status createdAt createdBy lastUsedAt expiresAt
  revokedAt revokedBy } }"""
REVOKE = """
mutation($input: ApiTokenRevokeInput!) {
  apiTokenRevoke(input: $input) {
    apiToken { id name status revokedAt revokedBy } errors { field code message } } }"""


async def create(api, name: str, role: str = "VIEWER", days: int | None = None) -> dict:
    variables = {"input": {"name": name, "role": role, "expiresInDays": days}}
    payload = (await api.data(CREATE.replace("name role", "id name role"), variables))[
        "apiTokenCreate"
    ]
    assert payload["errors"] == [], payload
    return payload


async def revoke(api, token_id: str, token: str | None = None) -> dict:
    body = await api.call(REVOKE, {"input": {"id": token_id}}, token=token)
    assert "errors" not in body, body
    return body["data"]["apiTokenRevoke"]


async def listed(api, name: str) -> dict:
    return next(t for t in (await api.data(TOKENS))["apiTokens"] if t["name"] == name)


async def test_a_token_is_listed_without_its_secret_then_revoked(api, store):
    created = await create(api, "  reporting  ", days=30)
    secret, token_id = created["token"], created["apiToken"]["id"]
    assert len(token_id) == 12 and token_id not in secret
    body = await api.http.post(
        api.url,
        json={"query": TOKENS},
        headers={"Authorization": f"Bearer {api.tokens[Role.ADMIN]}"},
    )
    assert secret not in body.text and digest(secret) not in body.text
    row = await listed(api, "reporting")
    assert (row["id"], row["role"], row["status"], row["createdBy"]) == (
        token_id,
        "VIEWER",
        "ACTIVE",
        "test-admin",
    )
    expires = datetime.fromisoformat(row["expiresAt"])
    assert abs(expires - datetime.now(UTC) - timedelta(days=30)) < timedelta(minutes=1)
    assert row["lastUsedAt"] is None and row["revokedAt"] is None

    assert (await api.call("{ me { name } }", token=secret))["data"]["me"]["name"] == "reporting"
    first_use = (await listed(api, "reporting"))["lastUsedAt"]
    assert first_use is not None
    await api.call("{ me { name } }", token=secret)
    assert (await listed(api, "reporting"))["lastUsedAt"] == first_use  # once a minute at most

    revoked = await revoke(api, token_id)
    assert revoked["errors"] == []
    assert revoked["apiToken"]["status"] == "REVOKED"
    assert revoked["apiToken"]["revokedBy"] == "test-admin"
    refused = await api.call("{ me { name } }", token=secret)
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    again = await revoke(api, token_id)  # a no-op: answered as it is
    assert again["errors"] == [] and again["apiToken"] == revoked["apiToken"]
    row = await listed(api, "reporting")
    assert (row["status"], row["lastUsedAt"]) == ("REVOKED", first_use)


async def test_revoke_refuses_unknown_ids_and_viewers(api):
    created = await create(api, "kept")
    for bad in ["0" * 12, "nope", "x" * 100_000, "", created["apiToken"]["name"]]:
        answer = await revoke(api, bad)
        assert answer["apiToken"] is None and answer["errors"][0]["code"] == "NOT_FOUND"
    editor = await api.call(REVOKE, {"input": {"id": created["apiToken"]["id"]}}, role=Role.EDITOR)
    assert editor["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await listed(api, "kept"))["status"] == "ACTIVE"


@pytest.mark.parametrize(
    ("name", "days", "field", "code"),
    [
        ("a" * 101, None, "name", "INVALID"),
        ("line\nbreak", None, "name", "INVALID"),
        ("   ", None, "name", "REQUIRED"),
        ("zero-days", 0, "expiresInDays", "OUT_OF_RANGE"),
        ("negative", -1, "expiresInDays", "OUT_OF_RANGE"),
        ("too-long", 3651, "expiresInDays", "OUT_OF_RANGE"),
        ("huge", 2**31 - 1, "expiresInDays", "OUT_OF_RANGE"),
    ],
)
async def test_bad_names_and_expiries_are_refused_and_create_nothing(api, name, days, field, code):
    variables = {"input": {"name": name, "role": "VIEWER", "expiresInDays": days}}
    payload = (await api.data(CREATE, variables))["apiTokenCreate"]
    assert payload["token"] is None and payload["apiToken"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)]
    assert len((await api.data(TOKENS))["apiTokens"]) == len(Role)


async def test_names_of_100_characters_and_either_end_of_the_expiry_range(api):
    await create(api, " " + "n" * 100 + " ", days=1)
    row = await create(api, "long-lived", days=3650)
    assert row["apiToken"]["name"] == "long-lived"


async def test_the_last_active_admin_token_cannot_be_revoked(api, store):
    admin_id = (await listed(api, "test-admin"))["id"]
    refused = await revoke(api, admin_id)
    assert refused["apiToken"] is None
    assert refused["errors"][0]["code"] == "CONFLICT"
    assert "last active admin token" in refused["errors"][0]["message"]

    # An expired admin token does not count as one left.
    stale = await create(api, "stale-admin", "ADMIN")
    await store.tokens.set_expiry(stale["apiToken"]["id"], datetime.now(UTC) - timedelta(1))
    assert (await revoke(api, admin_id))["errors"][0]["code"] == "CONFLICT"

    second = await create(api, "second-admin", "ADMIN")
    mine = await revoke(api, admin_id)  # revoking the token this request is sent with
    assert mine["errors"] == [] and mine["apiToken"]["status"] == "REVOKED"
    gone = await api.call("{ me { name } }")
    assert gone["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    last = await revoke(api, second["apiToken"]["id"], token=second["token"])
    assert last["errors"][0]["code"] == "CONFLICT"


async def test_two_admins_revoking_each_other_at_once_leave_one(api, store):
    second = await create(api, "other-admin", "ADMIN")
    admin_id = (await listed(api, "test-admin"))["id"]
    for _ in range(3):
        answers = await asyncio.gather(
            revoke(api, admin_id, token=second["token"]),
            revoke(api, second["apiToken"]["id"], token=api.tokens[Role.ADMIN]),
            return_exceptions=True,
        )
        assert await store.tokens.active_admins(datetime.now(UTC)) >= 1, answers
        if await store.tokens.active_admins(datetime.now(UTC)) == 1:
            break


async def test_a_revoked_token_loses_its_pass_through_the_rejected_tokens_limit(store):
    secret, record = await store.tokens.create("passing", Role.VIEWER)
    rejected = RejectedTokens()
    scope = {"type": "http", "client": ("10.0.0.1", 1), "headers": []}
    assert await rejected.authenticate(store, secret, scope) is not None
    assert rate_key(secret) in rejected.accepted
    await store.tokens.revoke(record.id, "test", datetime.now(UTC))
    assert await rejected.authenticate(store, secret, scope) is None
    assert rate_key(secret) not in rejected.accepted


async def test_the_command_line_lists_creates_and_revokes(mongo_uri, database_name, store, capsys):
    assert parse(["crm", "EDITOR"]).action == "create"  # python -m api token NAME ROLE
    assert await run(mongo_uri, database_name, ["crm", "EDITOR"]) == 0
    secret = capsys.readouterr().out.strip()
    assert (await store.tokens.find(secret)).name == "crm"
    words = ["create", "short", "VIEWER", "--expires-in-days", "7"]
    assert await run(mongo_uri, database_name, words) == 0
    capsys.readouterr()
    assert await run(mongo_uri, database_name, ["create", "x", "VIEWER", "--expires-in-days", "0"])
    assert "expiresInDays must be between 1 and 3650" in capsys.readouterr().err
    assert await run(mongo_uri, database_name, ["list"]) == 0
    listing = capsys.readouterr().out
    assert "crm" in listing and "short" in listing and secret not in listing
    assert await run(mongo_uri, database_name, ["revoke", "crm"]) == 0
    assert "Revoked" in capsys.readouterr().out
    record = await store.tokens.by_name("short")
    assert await run(mongo_uri, database_name, ["revoke", record.id]) == 0
    capsys.readouterr()
    assert await run(mongo_uri, database_name, ["list"]) == 0
    assert capsys.readouterr().out.count("REVOKED") == 2
    assert await run(mongo_uri, database_name, ["revoke", "nobody"]) == 1
    assert "No token 'nobody'" in capsys.readouterr().err
