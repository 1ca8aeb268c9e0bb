"""The dashboard's GraphQL contract, checked without a browser: every document it sends lives in
dashboard/documents.py and is valid against the committed SDL; its enum lists and labels are the
SDL's."""

import ast
from pathlib import Path

from graphql import GraphQLError, OperationDefinitionNode, build_schema, parse, validate

from dashboard import documents, enums
from graphql_schema.export import SDL_PATH

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS_MODULE = ROOT / "dashboard" / "documents.py"
# Modules allowed to hold documents besides dashboard/documents.py (none: move them there).
ALLOWED: set[str] = set()


def _operations(text: str) -> list[OperationDefinitionNode]:
    try:
        document = parse(text)
    except GraphQLError:
        return []
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


def _strings(tree: ast.AST) -> list[str]:
    """Every string literal; an f-string with `X` for each of its placeholders."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append(node.value)
        elif isinstance(node, ast.JoinedStr):
            found.append(
                "".join(v.value if isinstance(v, ast.Constant) else "X" for v in node.values)
            )
    return found


def _sent() -> dict[str, str]:
    return {
        name: value
        for name, value in vars(documents).items()
        if name.isupper() and isinstance(value, str) and _operations(value)
    }


def test_every_document_is_one_named_operation_valid_against_the_committed_sdl():
    schema = build_schema(SDL_PATH.read_text())
    sent = _sent()
    assert len(sent) >= 20
    for name, text in sent.items():
        operations = _operations(text)
        assert len(operations) == 1, name
        assert operations[0].name is not None, f"{name} has no operation name"
        assert validate(schema, parse(text)) == [], name
    names = [_operations(text)[0].name.value for text in sent.values()]  # type: ignore[union-attr]
    assert len(names) == len(set(names)), "two documents share an operation name"


def test_no_document_is_written_outside_the_documents_module():
    offenders = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "dashboard").rglob("*.py")
        if path != DOCUMENTS_MODULE
        and any(_operations(text) for text in _strings(ast.parse(path.read_text())))
    )
    assert [path for path in offenders if path not in ALLOWED] == []


def test_the_selects_offer_the_sdl_enums_and_label_only_their_values():
    schema = build_schema(SDL_PATH.read_text())
    for enum_name, values in enums.ENUMS.items():
        assert values == list(schema.type_map[enum_name].values), enum_name  # type: ignore[attr-defined]
    for enum_name, labels in enums.LABELS.items():
        assert set(labels) == set(enums.ENUMS[enum_name]), enum_name
    assert set(enums.CLASS_COLORS) == set(enums.CONTACT_CLASSES)
