"""Every root field of the schema has a decided role, and every caller gets what that role allows.

The matrix is generated from the schema: a field added without a line in ROLES fails the first
test, so no field ships without a decision. Each field is then called by five callers (anonymous,
a rejected token, viewer, editor, admin) with arguments made up from its types: a caller below the
role is refused (UNAUTHENTICATED or FORBIDDEN), one at or above it is not (whatever else the made-up
arguments earn it).
"""

import asyncio
import json

import pytest
import websockets
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    get_named_type,
)

from api.domain.access import Role
from graphql_schema.schema import schema

V, E, A = Role.VIEWER, Role.EDITOR, Role.ADMIN
ROLES: dict[str, Role] = {
    "Query.contact": V,
    "Query.contacts": V,
    "Query.scoreSheet": V,
    "Query.classification": V,
    "Query.liveCursor": V,
    "Query.fieldRules": V,
    "Query.customRules": V,
    "Query.fieldRuleSync": V,
    "Query.fieldRuleSyncs": V,
    "Query.workflows": V,
    "Query.workflow": V,
    "Query.scoreViews": V,
    "Query.scoreView": V,
    "Query.smtpSettings": A,
    "Query.resetHistory": V,
    "Query.scoreReset": V,
    "Query.scoringSimulate": A,
    "Query.rescoreJob": V,
    "Query.rescoreJobs": V,
    "Query.me": V,
    "Query.apiTokens": A,
    "Mutation.contactUpsert": E,
    "Mutation.contactScoreSet": E,
    "Mutation.activityRecord": E,
    "Mutation.activitiesRecord": E,
    "Mutation.scoreSheetUpdate": A,
    "Mutation.classificationUpdate": A,
    "Mutation.fieldRuleCreate": A,
    "Mutation.fieldRuleUpdate": A,
    "Mutation.fieldRuleDelete": A,
    "Mutation.customRuleCreate": A,
    "Mutation.customRuleUpdate": A,
    "Mutation.customRuleDelete": A,
    "Mutation.workflowCreate": A,
    "Mutation.workflowUpdate": A,
    "Mutation.workflowDelete": A,
    "Mutation.workflowActivate": A,
    "Mutation.workflowDeactivate": A,
    "Mutation.scoreViewCreate": E,
    "Mutation.scoreViewUpdate": E,
    "Mutation.scoreViewDelete": E,
    "Mutation.scoreViewNotificationUpdate": E,
    "Mutation.scoreViewEmailSend": E,
    "Mutation.smtpSettingsUpdate": A,
    "Mutation.scoresReset": A,
    "Mutation.scoringRescore": A,
    "Mutation.apiTokenCreate": A,
    "Mutation.apiTokenRevoke": A,
    "Subscription.scoreChanged": V,
    "Subscription.rescoreProgress": V,
    "Subscription.resetProgress": V,
    "Subscription.fieldRuleSyncProgress": V,
}
RANK = {None: 0, V: 1, E: 2, A: 3}
CALLERS = [None, "rejected", V, E, A]
SAMPLES = {
    "String": "x",
    "ID": "x",
    "Int": 1,
    "Float": 1.0,
    "Boolean": False,
    "Date": "2026-01-01",
    "DateTime": "2026-01-01T00:00:00+00:00",
}
GRAPHQL = schema._schema


def _root_fields() -> dict[str, GraphQLField]:
    fields = {}
    for root in (GRAPHQL.query_type, GRAPHQL.mutation_type, GRAPHQL.subscription_type):
        assert root is not None
        fields.update({f"{root.name}.{name}": field for name, field in root.fields.items()})
    return fields


def _sample(type_: GraphQLInputType) -> object:
    """A value of this input type, with only its required fields."""
    if isinstance(type_, GraphQLNonNull):
        return _sample(type_.of_type)
    if isinstance(type_, GraphQLList):
        return [_sample(type_.of_type)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        return {
            name: _sample(field.type)
            for name, field in type_.fields.items()
            if (isinstance(field.type, GraphQLNonNull) and field.default_value is not None)
            or isinstance(field.type, GraphQLNonNull)
        }
    assert isinstance(type_, GraphQLScalarType)
    return SAMPLES[type_.name]


def _operation(key: str, field: GraphQLField) -> tuple[str, dict]:
    """A document calling the field alone, with variables for its required arguments."""
    kind, name = key.split(".")
    required = {
        arg: spec for arg, spec in field.args.items() if isinstance(spec.type, GraphQLNonNull)
    }
    declared = ", ".join(f"${arg}: {spec.type}" for arg, spec in required.items())
    passed = ", ".join(f"{arg}: ${arg}" for arg in required)
    selection = (
        "" if isinstance(get_named_type(field.type), GraphQLScalarType) else "{ __typename }"
    )
    document = (
        f"{kind.lower()}{f'({declared})' if declared else ''} "
        f"{{ {name}{f'({passed})' if passed else ''} {selection} }}"
    )
    return document, {arg: _sample(spec.type) for arg, spec in required.items()}


def _refusal(errors: list[dict]) -> str | None:
    codes = {(e.get("extensions") or {}).get("code") for e in errors}
    for code in ("UNAUTHENTICATED", "FORBIDDEN"):
        if code in codes:
            return code
    return None


def _expected(caller: object, role: Role) -> str | None:
    if caller in (None, "rejected"):
        return "UNAUTHENTICATED"
    return "FORBIDDEN" if RANK[caller] < RANK[role] else None


def test_every_root_field_has_a_decided_role():
    fields = set(_root_fields())
    assert fields - set(ROLES) == set(), "decide the role of these new fields in ROLES"
    assert set(ROLES) - fields == set(), "these fields are gone: remove them from ROLES"


async def test_queries_and_mutations_answer_each_caller_by_role(api):
    tokens = {None: None, "rejected": "cs_not-a-real-token", **api.tokens}
    wrong = []
    for key, field in _root_fields().items():
        if key.startswith("Subscription."):
            continue
        document, variables = _operation(key, field)
        for caller in CALLERS:
            headers = {"Authorization": f"Bearer {tokens[caller]}"} if tokens[caller] else {}
            response = await api.http.post(
                api.url, json={"query": document, "variables": variables}, headers=headers
            )
            assert response.status_code == 200, (key, caller, response.text)
            body = response.json()
            got = _refusal(body.get("errors", []))
            if got != _expected(caller, ROLES[key]):
                wrong.append((key, caller, got, body.get("errors")))
    assert wrong == []


@pytest.mark.parametrize("key", [k for k in ROLES if k.startswith("Subscription.")])
async def test_subscriptions_answer_each_caller_by_role(api, key):
    document, variables = _operation(key, _root_fields()[key])
    for caller in CALLERS:
        token = api.tokens.get(caller) if caller != "rejected" else "cs_not-a-real-token"
        async with websockets.connect(api.ws_url, subprotocols=["graphql-transport-ws"]) as ws:
            params = {"authorization": f"Bearer {token}"} if token else {}
            await ws.send(json.dumps({"type": "connection_init", "payload": params}))
            if caller in (None, "rejected"):
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    await asyncio.wait_for(ws.recv(), 5)
                assert closed.value.rcvd.code == 4403, (key, caller)
                continue
            assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
            payload = {"query": document, "variables": variables}
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
            try:
                message = json.loads(await asyncio.wait_for(ws.recv(), 0.5))
            except TimeoutError:
                message = {}  # subscribed and waiting for changes
            errors = message.get("payload") if message.get("type") == "error" else None
            errors = errors or (message.get("payload") or {}).get("errors") or []
            assert _refusal(errors) == _expected(caller, ROLES[key]), (key, caller, message)
