"""Dashboard sign-ins kept on the server: the browser holds only a random session key.

The file (mode 0600, beside the database and the dev token in the data directory) maps the
SHA-256 of each key to the API token, so it survives a dashboard restart, and the keys themselves
are never written down. Sign-ins end when signed out, when the API refuses the token, or after
MAX_AGE.
"""

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dashboard.config import SESSIONS_FILE

MAX_AGE = 30 * 24 * 3600.0


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One reader or writer at a time, across the backend's threads and processes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


# The file as last parsed, by path: a GraphQL call and a live event each look a token up, and
# the file changes only on a sign-in or sign-out (replaced whole, so its inode changes).
_parsed: dict[Path, tuple[tuple[int, int, int], dict[str, Any]]] = {}


def _read(path: Path) -> dict[str, Any]:
    try:
        stat = path.stat()
        stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        cached = _parsed.get(path)
        if cached is not None and cached[0] == stamp:
            entries = cached[1]
        else:
            entries = json.loads(path.read_text())
            _parsed[path] = (stamp, entries)
    except (FileNotFoundError, ValueError):
        return {}
    now = time.time()
    return {k: v for k, v in entries.items() if now - v.get("created", 0) < MAX_AGE}


def _write(path: Path, entries: dict[str, Any]) -> None:
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        json.dump(entries, file)
        file.flush()
        os.fsync(file.fileno())  # a crash leaves the old file or the new one, never a torn one
    os.replace(temporary, path)


def start(token: str, path: Path = SESSIONS_FILE) -> str:
    """A new session for this API token; the key goes to the browser."""
    key = secrets.token_urlsafe(32)  # 256 random bits
    with _locked(path):
        entries = _read(path)
        entries[_digest(key)] = {"token": token, "created": time.time()}
        _write(path, entries)
    return key


def token(key: str, path: Path = SESSIONS_FILE) -> str:
    """The API token of a live session, or "" for an unknown, ended or expired key.

    Read without the lock: writers replace the file whole, so a reader sees it before or after.
    """
    entry = _read(path).get(_digest(key)) if key else None
    return str(entry["token"]) if entry else ""


def end(key: str, path: Path = SESSIONS_FILE) -> None:
    if not key:
        return
    with _locked(path):
        entries = _read(path)
        if entries.pop(_digest(key), None) is not None:
            _write(path, entries)
