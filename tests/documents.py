"""Every GraphQL document the dashboard and the tests send, found in their modules' constants and
string literals."""

import ast
import importlib
import pkgutil
from pathlib import Path

from graphql import GraphQLError, OperationDefinitionNode, parse

import dashboard.states


def sent_documents() -> dict[str, str]:
    """The documents by where they come from (module and their first words)."""
    found = {}
    names = ["dashboard.documents"]
    names += [f"dashboard.states.{m.name}" for m in pkgutil.iter_modules(dashboard.states.__path__)]
    names += [f"tests.{path.stem}" for path in Path(__file__).parent.glob("*.py")]
    for name in names:
        module = importlib.import_module(name)
        texts = [v for k, v in vars(module).items() if isinstance(v, str) and k.isupper()]
        # dashboard.documents composes its documents from parts: only the whole ones count.
        if module.__file__ and name != "dashboard.documents":
            tree = ast.parse(Path(module.__file__).read_text())
            texts += [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]
        for text in texts:
            if isinstance(text, str) and len(text) < 20_000 and _is_document(text):
                found[f"{name}: {' '.join(text.split())[:60]}"] = text
    return found


def _is_document(text: str) -> bool:
    try:
        document = parse(text)
    except GraphQLError:
        return False
    return any(isinstance(d, OperationDefinitionNode) for d in document.definitions)
