"""Every environment variable the product reads is in the README's settings table, and every
SCORING_* one is known to the settings check (which warns about unknown ones as typos)."""

import re
from pathlib import Path

from api.config import KNOWN

ROOT = Path(__file__).resolve().parent.parent
NAME = re.compile(r"\b((?:SCORING|DASHBOARD|MONGODB)_[A-Z][A-Z_]*[A-Z])\b")
# Read from the environment: a quoted name in Python; any mention in a script.
IN_PYTHON = re.compile(r"[\"']((?:SCORING|DASHBOARD|MONGODB)_[A-Z][A-Z_]*[A-Z])[\"']")


def read_in_code() -> set[str]:
    python = [*ROOT.glob("api/**/*.py"), *ROOT.glob("graphql_schema/**/*.py")]
    python += [*ROOT.glob("dashboard/**/*.py"), ROOT / "rxconfig.py"]
    names = {name for path in python for name in IN_PYTHON.findall(path.read_text())}
    scripts = [path for path in ROOT.glob("scripts/*") if path.is_file()]
    return names | {name for path in scripts for name in NAME.findall(path.read_text())}


def documented() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Settings") :]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in NAME.findall(row.split("|")[1])}


def test_every_setting_the_code_reads_is_in_the_readme_table() -> None:
    missing = read_in_code() - documented()
    assert not missing, f"not in README.md's settings table: {sorted(missing)}"


def test_every_scoring_setting_is_known_to_the_settings_check() -> None:
    read = {name for name in read_in_code() if name.startswith("SCORING_")}
    assert read - KNOWN == set(), f"add to api.config.KNOWN: {sorted(read - KNOWN)}"
    assert KNOWN - read == set(), f"known but never read: {sorted(KNOWN - read)}"
