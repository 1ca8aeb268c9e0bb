"""Backup and restore of the embedded database: a backup taken while the API runs (two worker
processes, one embedded database started by their parent), changes made after it, a restore
refused while the API runs, then done: the data is exactly as it was at the backup."""

import os
import subprocess
import sys

import httpx

from api.domain.access import Role
from api.embedded import free_port
from tests.conftest import Api
from tests.crash_stack import ROOT, ApiProcess
from tests.gql_ops import CUSTOM_CREATE, RECORD_MANY, make_contact

SNAPSHOT = """{
  contacts(first: 100) { totalCount edges { node {
    email score timeline(first: 100) { entries { points kind reason } } } } }
  customRules { name points }
}"""


def command(server: ApiProcess, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api", *args],
        cwd=ROOT,
        env={**server.env, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_a_restored_backup_brings_back_exactly_the_data_of_the_backup(
    tmp_path, database_name
):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    server = ApiProcess(
        None,
        database_name,
        data_dir,
        {"SCORING_EMBEDDED_PORT": str(free_port()), "SCORING_ENV": None},
        args=("--workers", "2"),
    )
    archive = tmp_path / "backup.tar.gz"

    def api(http: httpx.AsyncClient) -> Api:
        token = (data_dir / "dev-token").read_text().strip()
        tokens = dict.fromkeys(Role, token)
        return Api(server.url, "", tokens, http, None)  # type: ignore[arg-type]

    async def activities(client: Api, emails: list[str], key: str) -> None:
        batch = [
            {"contactEmail": e, "type": "REFER_FRIEND", "idempotencyKey": f"{key}-{e}"}
            for e in emails
        ]
        answer = await client.data(RECORD_MANY, {"input": batch})
        assert answer["activitiesRecord"]["errors"] == []

    emails = [f"b{i}@x.io" for i in range(5)]
    server.start()
    try:
        async with httpx.AsyncClient(timeout=60) as http:
            client = api(http)
            for email in emails:
                await make_contact(client, email)
            await activities(client, emails[:3], "before")
            before = await client.data(SNAPSHOT)

            done = command(server, "backup", str(archive))
            assert done.returncode == 0, done.stderr
            assert archive.is_file() and "Backup written" in done.stdout
            again = command(server, "backup", str(archive))
            assert again.returncode == 2 and "exists" in again.stderr

            await activities(client, emails, "after")
            rule = {"name": "Late rule", "points": 5, "activityType": "CLICK"}
            assert (await client.data(CUSTOM_CREATE, {"input": rule}))["customRuleCreate"][
                "errors"
            ] == []
            assert await client.data(SNAPSHOT) != before

            refused = command(server, "restore", str(archive))
            assert refused.returncode == 2 and "the embedded database runs" in refused.stderr
    finally:
        server.stop()

    not_an_archive = tmp_path / "notes.tar.gz"
    not_an_archive.write_text("hello")
    bad = command(server, "restore", str(not_an_archive))
    assert bad.returncode == 2 and "not a backup archive" in bad.stderr

    restored = command(server, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    kept = [p.name for p in data_dir.iterdir() if p.name.startswith("mongo-before-restore-")]
    assert len(kept) == 1 and not (data_dir / ".mongo-restoring").exists()

    server.start()
    try:
        async with httpx.AsyncClient(timeout=60) as http:
            assert await api(http).data(SNAPSHOT) == before
    finally:
        server.stop()

    for name in ("backup", "restore"):
        done = command(server, name, str(tmp_path / "x.tar.gz"), MONGODB_URI="mongodb://h:1")
        assert done.returncode == 2 and "mongodump" in done.stderr
    assert os.listdir(tmp_path).count("x.tar.gz") == 0
