"""Generated GraphQL requests, from the schema itself: valid-looking documents with random
arguments (inline or as variables, of the right type or not), mutated texts, and malformed bodies.
Seeded, so that a failure can be reproduced."""

import json
import random
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    is_leaf_type,
)

# Fields that reach outside the machine (an SMTP server at a random address): left out.
SKIPPED = {"scoreViewEmailSend", "smtpSettingsUpdate"}
STRINGS = ["", "x", "ann@example.com", "India", "news", "a" * 5000, "💥\u0000", "$where"]
STRINGS += [".*(a+)+$", "665f" * 6]
DATES = ["2026-01-01", "0001-01-01", "9999-12-31", "2026-02-30", "nope"]
EXTREMES = ["a" * 5000, "", "0001-01-01", "9999-12-31", -1, 0, 2**31 - 1, -(2**31), None, "💥"]
# Known-good requests, whose variables get one extreme value each.
SEEDS: list[tuple[str, dict[str, Any]]] = [
    (
        "query($s: String, $n: Int) { contacts(first: $n, filter: {search: $s}) { totalCount"
        " edges { node { email timeline(first: $n) { totalCount } } } } }",
        {"s": "ann", "n": 5},
    ),
    (
        "mutation($i: ScoreViewInput!) { scoreViewCreate(input: $i) { scoreView { id } errors"
        " { code } } }",
        {
            "i": {
                "name": "v",
                "scoreCondition": {"kind": "BETWEEN", "min": 0, "max": 50},
                "period": {"kind": "DATE_RANGE", "start": "2026-01-01", "end": "2026-02-01"},
                "criteria": [{"field": "country", "operator": "EQUALS", "value": "India"}],
            }
        },
    ),
    ("{ scoreViews { name report { total byCountry { name count } } } }", {}),
    (
        "query($b: Int!) { classification { scoreDistribution(bucketSize: $b) { low count } } }",
        {"b": 10},
    ),
    (
        "mutation($i: ActivityInput!) { activityRecord(input: $i) { duplicate errors { code } } }",
        {
            "i": {
                "contactEmail": "ann@example.com",
                "type": "CLICK",
                "campaignId": "c",
                "url": "https://x.io/p",
                "occurredAt": "2026-11-30T12:00:00Z",
            }
        },
    ),
    (
        "mutation($i: ContactUpsertInput!) { contactUpsert(input: $i) { errors { code } } }",
        {
            "i": {
                "email": "ann@example.com",
                "firstName": "Ann",
                "country": "India",
                "mailingLists": ["news"],
            }
        },
    ),
    (
        "mutation($i: FieldRuleInput!) { fieldRuleCreate(input: $i) { errors { code } } }",
        {
            "i": {
                "name": "r",
                "points": 5,
                "conditions": [{"field": "country", "operator": "CONTAINS", "value": "In"}],
            }
        },
    ),
    (
        "mutation($i: ContactScoreSetInput!) { contactScoreSet(input: $i) { errors { code } } }",
        {"i": {"contactId": "665f665f665f665f665f665f", "score": 10, "reason": "r"}},
    ),
]
DATETIMES = ["2026-11-30T12:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "nope"]
INTS = [0, 1, -1, 7, 100, 101, 10**6, 2**31, -(2**40)]


class Fuzzer:
    def __init__(self, schema: GraphQLSchema, seed: int) -> None:
        self.schema = schema
        self.rng = random.Random(seed)

    def body(self) -> bytes:
        """One request body: mostly documents, some of them mutated, some malformed bodies."""
        roll = self.rng.random()
        if roll < 0.1:
            return self.malformed()
        if roll > 0.65:
            return self.seeded()
        query, variables = self.document()
        if roll < 0.3:
            query = self.mutated(query)
        payload: dict[str, Any] = {"query": query, "variables": variables}
        if self.rng.random() < 0.05:
            payload[self.rng.choice(["query", "variables", "operationName"])] = self.value()
        return json.dumps(payload).encode()

    def seeded(self) -> bytes:
        query, variables = self.rng.choice(SEEDS)
        variables = json.loads(json.dumps(variables))
        leaves: list[tuple[Any, Any]] = []
        stack: list[Any] = [variables]
        while stack:
            node = stack.pop()
            for key in node if isinstance(node, dict) else range(len(node)):
                if isinstance(node[key], dict | list):
                    stack.append(node[key])
                else:
                    leaves.append((node, key))
        if leaves:
            node, key = self.rng.choice(leaves)
            node[key] = self.rng.choice(EXTREMES)
        return json.dumps({"query": query, "variables": variables}).encode()

    def document(self) -> tuple[str, dict[str, Any]]:
        roots = [self.schema.query_type] * 3 + [self.schema.mutation_type] * 2
        root_type = self.rng.choice([*roots, self.schema.subscription_type])
        assert root_type is not None
        keyword = {"Query": "query", "Mutation": "mutation", "Subscription": "subscription"}
        definitions: list[str] = []
        variables: dict[str, Any] = {}
        fields = [
            self.field(name, field, definitions, variables, 0)
            for name, field in self.pick(root_type, 2 if root_type.name == "Query" else 1)
        ]
        header = f"({', '.join(definitions)})" if definitions else ""
        return f"{keyword[root_type.name]}{header} {{ {' '.join(fields)} }}", variables

    def pick(self, type_: GraphQLObjectType, most: int) -> list[tuple[str, GraphQLField]]:
        names = [n for n in type_.fields if n not in SKIPPED]
        chosen = self.rng.sample(names, k=min(len(names), self.rng.randint(1, most)))
        return [(name, type_.fields[name]) for name in chosen]

    def field(
        self,
        name: str,
        field: GraphQLField,
        definitions: list[str],
        variables: dict[str, Any],
        depth: int,
    ) -> str:
        arguments = []
        for arg_name, arg in field.args.items():
            if not isinstance(arg.type, GraphQLNonNull) and self.rng.random() < 0.5:
                continue
            if self.rng.random() < 0.5:
                variable = f"v{len(definitions)}"
                definitions.append(f"${variable}: {arg.type}")
                variables[variable] = self.json_value(arg.type, 0)
                arguments.append(f"{arg_name}: ${variable}")
            else:
                arguments.append(f"{arg_name}: {self.literal(arg.type, 0)}")
        text = name + (f"({', '.join(arguments)})" if arguments else "")
        named = field.type
        while isinstance(named, GraphQLNonNull | GraphQLList):
            named = named.of_type
        if isinstance(named, GraphQLUnionType):
            return text + " { __typename }"
        if is_leaf_type(named) or not isinstance(named, GraphQLObjectType):
            return text
        if depth >= 3:
            return text + " { __typename }"
        chosen = self.pick(named, 4)
        inner = [self.field(n, f, definitions, variables, depth + 1) for n, f in chosen]
        return text + " { " + " ".join(inner) + " }"

    def json_value(self, type_: GraphQLInputType, depth: int) -> Any:
        if self.rng.random() < 0.03:
            return self.value()
        if isinstance(type_, GraphQLNonNull):
            return self.json_value(type_.of_type, depth)
        if isinstance(type_, GraphQLList):
            size = self.rng.randint(0, 3)
            return [self.json_value(type_.of_type, depth + 1) for _ in range(size)]
        if isinstance(type_, GraphQLEnumType):
            return self.rng.choice([*type_.values, "NOT_A_VALUE"])
        if isinstance(type_, GraphQLInputObjectType):
            if depth > 3:
                return {}
            fields = list(type_.fields.items())
            required = [f for f in fields if isinstance(f[1].type, GraphQLNonNull)]
            optional = [f for f in fields if f not in required]
            extra = self.rng.sample(optional, k=min(len(optional), self.rng.randint(0, 2)))
            chosen = required + extra
            return {n: self.json_value(f.type, depth + 1) for n, f in chosen}
        assert isinstance(type_, GraphQLScalarType)
        return self.scalar(type_.name)

    def literal(self, type_: GraphQLInputType, depth: int) -> str:
        value = self.json_value(type_, depth)
        return self.to_literal(value, type_)

    def to_literal(self, value: Any, type_: GraphQLInputType) -> str:
        while isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        if isinstance(value, dict):
            items = []
            for key, item in value.items():
                inner = (
                    type_.fields[key].type
                    if isinstance(type_, GraphQLInputObjectType) and (key in type_.fields)
                    else type_
                )
                items.append(f"{key}: {self.to_literal(item, inner)}")
            return "{" + ", ".join(items) + "}"
        if isinstance(value, list):
            inner = type_.of_type if isinstance(type_, GraphQLList) else type_
            return "[" + ", ".join(self.to_literal(v, inner) for v in value) + "]"
        if isinstance(type_, GraphQLEnumType) and isinstance(value, str):
            return value
        if value is None:
            return "null"
        return json.dumps(value)

    def scalar(self, name: str) -> Any:
        if name in {"Int", "Float"}:
            return self.rng.choice([*INTS, 0.5, -2.5])
        if name == "Boolean":
            return self.rng.choice([True, False])
        return self.rng.choice({"Date": DATES, "DateTime": DATETIMES}.get(name, STRINGS))

    def value(self) -> Any:
        return self.rng.choice(
            [None, 1, -1, 1.5, True, "x", "", [], {}, [1, "a"], {"a": {"b": [None]}}, 2**70]
        )

    def mutated(self, text: str) -> str:
        for _ in range(self.rng.randint(1, 3)):
            i = self.rng.randrange(len(text) + 1)
            j = min(len(text), i + self.rng.randint(0, 12))
            text = self.rng.choice(
                [
                    text[:i] + text[j:],
                    text[:i] + text[i:j] * self.rng.randint(2, 5) + text[j:],
                    text[:i] + self.rng.choice('{}()[]:$!@."#,=') + text[i:],
                    text[:i] + "..." + text[i:],
                ]
            )
        return text

    def malformed(self) -> bytes:
        return self.rng.choice(
            [
                b"",
                b"null",
                b'"x"',
                b"[1, 2]",
                b"{",
                bytes(self.rng.randrange(256) for _ in range(self.rng.randint(1, 64))),
                b'{"query": "{ me { name } }"' + b"}" * self.rng.randint(0, 3),
                b"[" * 5000,
                json.dumps({"query": None}).encode(),
                json.dumps({"query": "{ me { name } }", "variables": [1]}).encode(),
                '{"query": "\ud800"}'.encode("utf-8", "surrogatepass"),
            ]
        )
