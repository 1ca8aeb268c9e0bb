"""The committed SDL is what the code builds.

Regenerate it with `python -m graphql_schema.export`.
"""

from graphql_schema.export import SDL_PATH, sdl


def test_schema_graphql_is_current():
    assert SDL_PATH.read_text() == sdl(), "run: python -m graphql_schema.export"


def test_contract_names_are_present():
    text = sdl()
    for name in [
        "contact(id: ID = null, email: String = null): Contact",
        "contacts(first: Int = null, after: String = null, filter: ContactFilter = null, "
        "orderBy: ContactOrder = null): ContactConnection!",
        "scoreSheet: ScoreSheet!",
        "classification: Classification!",
        "contactUpsert(input: ContactUpsertInput!)",
        "activityRecord(input: ActivityInput!)",
        "activitiesRecord(input: [ActivityInput!]!)",
        "scoreSheetUpdate(input: ScoreSheetUpdateInput!)",
        "classificationUpdate(input: ClassificationUpdateInput!)",
        "contactScoreSet(input: ContactScoreSetInput!)",
        "scoreChanged(",
    ]:
        assert name in text, name


def test_unexpected_errors_are_masked_expected_ones_are_not():
    from graphql import GraphQLError

    from api.services.errors import ErrorCode
    from graphql_schema.core.pagination import BadCursor
    from graphql_schema.core.permissions import PermissionDenied
    from graphql_schema.schema import is_unexpected

    assert is_unexpected(GraphQLError("boom", original_error=KeyError("secret")))
    denied = PermissionDenied("no", ErrorCode.FORBIDDEN)
    assert not is_unexpected(GraphQLError("x", original_error=denied))
    assert not is_unexpected(GraphQLError("x", original_error=BadCursor("bad")))
    assert not is_unexpected(GraphQLError("Cannot query field 'nope'"))


def test_every_error_code_comes_from_the_enum():
    """No code written as a string literal: clients can rely on the ErrorCode enum of the SDL."""
    import re
    from pathlib import Path

    literal = re.compile(r"""["']code["']\s*:\s*["']""")
    root = Path(__file__).resolve().parent.parent
    found = [
        f"{path.relative_to(root)}:{number}"
        for package in ("api", "graphql_schema")
        for path in sorted((root / package).rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if literal.search(line)
    ]
    assert found == []


def test_every_delete_answers_the_deleted_id_and_errors():
    from graphql import get_named_type

    from graphql_schema.schema import schema

    mutations = schema._schema.mutation_type
    deletes = {n: f for n, f in mutations.fields.items() if n.endswith("Delete")}
    assert len(deletes) >= 4
    for name, field in deletes.items():
        payload = get_named_type(field.type)
        assert {"deletedId", "errors"} <= set(payload.fields), name


def test_the_dashboards_documents_are_valid_against_the_committed_sdl():
    """Checked without a browser: a renamed field fails here, not in a Chromium test."""
    from graphql import build_schema, parse, validate

    from tests.documents import sent_documents

    committed = build_schema(SDL_PATH.read_text())
    documents = {k: v for k, v in sent_documents().items() if k.startswith("dashboard")}
    assert len(documents) >= 10
    problems = {name: validate(committed, parse(text)) for name, text in documents.items()}
    assert {name: errors for name, errors in problems.items() if errors} == {}
