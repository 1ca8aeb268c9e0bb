"""Production mode: `python -m api` as a process with SCORING_ENV=production, and every setting
checked at start (a bad one: exit 2, one message naming it, no traceback)."""

import os
import subprocess
import sys

import httpx
import pytest

import api.app
from api.config import Settings, SettingsError
from api.db.contact_docs import ContactQuery
from api.domain.access import Role
from tests.crash_stack import ROOT, ApiProcess

ME = {"query": "{ me { name role } }"}


async def test_production_seeds_nothing_prints_no_token_and_serves_no_graphiql(
    store, mongo_uri, database_name, tmp_path
):
    server = ApiProcess(
        mongo_uri,
        database_name,
        tmp_path,
        {"SCORING_ENV": "production", "SCORING_DEMO_DATA": None, "SCORING_DEV_TOKEN": None},
    )
    server.start()
    try:
        async with httpx.AsyncClient() as http:
            page = await http.get(server.url, headers={"Accept": "text/html"})
            assert "<html" not in page.text.lower() and "graphiql" not in page.text.lower()
            secret, _ = await store.tokens.create("ops", Role.ADMIN)
            headers = {"Authorization": f"Bearer {secret}"}
            answer = await http.post(server.url, json=ME, headers=headers)
        assert answer.json() == {"data": {"me": {"name": "ops", "role": "ADMIN"}}}
    finally:
        server.stop()
    printed = server.log.read_text()
    assert "Production mode" in printed
    assert "Dev token" not in printed and "Demo data" not in printed
    assert await store.contacts.count(ContactQuery()) == 0
    assert [t.name for t in await store.tokens.all()] == ["ops"]
    assert not (tmp_path / "dev-token").exists()


def test_development_serves_graphiql(mongo_uri, database_name, tmp_path):
    server = ApiProcess(mongo_uri, database_name, tmp_path)
    server.start()
    try:
        page = httpx.get(server.url, headers={"Accept": "text/html"})
    finally:
        server.stop()
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    assert "Dev token (admin)" in server.log.read_text()


def run_api(settings: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCORING_", "MONGODB_"))}
    return subprocess.run(
        [sys.executable, "-m", "api", *args],
        cwd=ROOT,
        env={**env, **settings},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"SCORING_ENV": "staging"}, "SCORING_ENV must be development or production"),
        ({"SCORING_ENV": "production"}, "MONGODB_URI is not set"),
        ({"SCORING_PORT": "80a"}, "SCORING_PORT must be a port number"),
        ({"SCORING_EXPIRY_INTERVAL": "soon"}, "SCORING_EXPIRY_INTERVAL must be a number"),
        ({"SCORING_RATE_BURST": "inf"}, "SCORING_RATE_BURST must be a number"),
        ({"SCORING_GRAPHIQL": "maybe"}, "SCORING_GRAPHIQL must be 1 or 0"),
        (
            {
                "SCORING_ENV": "production",
                "MONGODB_URI": "mongodb://127.0.0.1:1",
                "SCORING_DEV_TOKEN": "x" * 40,
            },
            "SCORING_DEV_TOKEN is set",
        ),
        (
            {"SCORING_ENV": "production", "SCORING_EMBEDDED": "1", "SCORING_DEMO_DATA": "1"},
            "SCORING_DEMO_DATA",
        ),
        ({"MONGODB_URI": "localhost:27017"}, "MONGODB_URI must be a MongoDB connection string"),
        ({"PROMETHEUS_MULTIPROC_DIR": "/nonexistent/metrics"}, "PROMETHEUS_MULTIPROC_DIR"),
    ],
)
def test_a_bad_setting_stops_it_with_exit_2_and_one_message(settings, named):
    done = run_api(settings)
    assert done.returncode == 2
    assert named in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_workers_must_be_a_number_from_1():
    for bad in ("0", "-1", "two", "1000"):
        done = run_api({}, "--workers", bad)
        assert done.returncode == 2 and "--workers" in done.stderr


def test_settings_are_read_only_when_the_app_is(monkeypatch, mongo_uri):
    monkeypatch.setenv("SCORING_PORT", "not a port")
    with pytest.raises(SettingsError, match="SCORING_PORT"):
        api.app.create_app_from_env()
    monkeypatch.setenv("SCORING_PORT", "8123")
    monkeypatch.setenv("SCORING_ENV", "production")
    monkeypatch.setenv("MONGODB_URI", mongo_uri)
    settings = Settings.from_env()
    assert (settings.production, settings.graphiql, settings.demo_data) == (True, False, False)
    monkeypatch.setenv("SCORING_GRAPHIQL", "1")
    assert Settings.from_env().graphiql
    assert api.app.create_app_from_env().state.store is not None
