"""One meaning per name: no class name defined twice, no import renamed to hide a clash."""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("api", "graphql_schema", "dashboard")


def _modules() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if not any(part.startswith(".") for part in path.relative_to(ROOT).parts)
    )


def _trees() -> list[tuple[str, ast.Module]]:
    return [(str(p.relative_to(ROOT)), ast.parse(p.read_text(), str(p))) for p in _modules()]


def test_every_class_name_is_defined_once() -> None:
    defined: dict[str, list[str]] = defaultdict(list)
    for path, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                defined[node.name].append(path)
    twice = {name: files for name, files in sorted(defined.items()) if len(files) > 1}
    assert not twice, "class names defined more than once:\n" + "\n".join(
        f"  {name}: {', '.join(files)}" for name, files in twice.items()
    )


def test_no_import_is_renamed_to_a_record() -> None:
    aliased = [
        f"{path}:{node.lineno}: {alias.name} as {alias.asname}"
        for path, tree in _trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
        if alias.asname is not None and alias.asname.endswith("Record")
    ]
    assert not aliased, "imports renamed to hide a clash:\n" + "\n".join(aliased)
