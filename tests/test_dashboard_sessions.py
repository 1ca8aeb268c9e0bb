"""Server-side sign-ins of the dashboard: the browser's key opens the token; no key on disk."""

import json
import time

from dashboard import sessions


def test_a_session_maps_its_key_to_the_token_until_it_ends(tmp_path):
    path = tmp_path / "data" / "dashboard-sessions.json"
    key = sessions.start("cs_secret", path)
    other = sessions.start("cs_other", path)
    assert len(key) >= 43 and key != other  # 256 random bits each
    assert sessions.token(key, path) == "cs_secret"
    assert sessions.token(other, path) == "cs_other"
    assert sessions.token("guessed", path) == ""
    assert sessions.token("", path) == ""
    assert path.stat().st_mode & 0o777 == 0o600
    assert key not in path.read_text()  # only its SHA-256

    sessions.end(key, path)
    assert sessions.token(key, path) == ""
    assert sessions.token(other, path) == "cs_other"


def test_a_session_expires(tmp_path):
    path = tmp_path / "dashboard-sessions.json"
    key = sessions.start("cs_secret", path)
    entries = json.loads(path.read_text())
    for entry in entries.values():
        entry["created"] = time.time() - sessions.MAX_AGE - 1
    path.write_text(json.dumps(entries))
    assert sessions.token(key, path) == ""
    sessions.start("cs_next", path)  # a write drops what expired
    assert len(json.loads(path.read_text())) == 1
