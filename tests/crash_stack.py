"""Processes to kill: the embedded database and the API (`python -m api`) as real subprocesses,
and retrying clients that keep what the API acknowledged."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from api.embedded import EmbeddedMongo, free_port

ROOT = Path(__file__).resolve().parent.parent
RECORD = """mutation($input: [ActivityInput!]!) { activitiesRecord(input: $input) {
  results { duplicate entry { points } } errors { field message code } } }"""


class Database(EmbeddedMongo):
    """The embedded database as api/embedded.py starts it (same flags), killed with kill -9."""

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.process = None


class ApiProcess:
    """`python -m api` against a database, on a free port, killed with kill -9 and restarted."""

    def __init__(
        self,
        uri: str | None,
        database: str,
        data_dir: Path,
        settings: dict[str, str | None] | None = None,
        args: tuple[str, ...] = (),
    ) -> None:
        """`settings` adds environment variables (None: unset); `uri` None: the embedded
        database."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/graphql"
        env: dict[str, str | None] = {
            **os.environ,
            "MONGODB_URI": uri,
            "SCORING_DATABASE": database,
            "SCORING_DEMO_DATA": "0",
            "SCORING_PORT": str(self.port),
            "SCORING_DATA_DIR": str(data_dir),
            **(settings or {}),
        }
        self.env = {name: value for name, value in env.items() if value is not None}
        self.args = args
        self.log = data_dir / f"api-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30) -> float:
        """Start and wait until it answers; returns the time it answered (monotonic)."""
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "api", *self.args],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while True:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the API did not start"
            try:
                if httpx.get(self.url.replace("/graphql", "/health"), timeout=1).is_success:
                    return time.monotonic()
            except httpx.HTTPError:
                pass
            time.sleep(0.05)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def hold_locks(uri: str, database: str) -> "subprocess.Popen[str]":
    """Another process with a transaction open on every contact (as an API killed in the middle of
    a commit leaves one): started, and returned once it holds the locks."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.crash_stack", uri, database],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline() == "locked\n"
    return process


def _lock_contacts(uri: str, database: str) -> None:
    import pymongo

    client: pymongo.MongoClient[dict] = pymongo.MongoClient(uri)
    session = client.start_session()
    while True:
        session.start_transaction()
        try:
            client[database].contacts.update_many({}, {"$set": {"held": 1}}, session=session)
            break
        except pymongo.errors.PyMongoError:
            session.abort_transaction()
            time.sleep(0.05)
    print("locked", flush=True)
    time.sleep(600)


@dataclass
class Ingest:
    """What retrying clients were told: acknowledged keys, and when each answer came."""

    acknowledged: set[str] = field(default_factory=set)
    answered: set[str] = field(default_factory=set)
    # (time, client) of every successful answer, to see how soon writes resumed.
    successes: list[tuple[float, int]] = field(default_factory=list)
    codes: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def acked_between(self, start: float, end: float) -> int:
        return sum(1 for at, _ in self.successes if start <= at < end)


async def send_until_answered(
    http: httpx.AsyncClient,
    url: str,
    token: str,
    batch: list[dict],
    ingest: Ingest,
    client: int,
) -> None:
    """Send one batch, again and again (same idempotency keys), until the API answers it."""
    delay = 0.05
    while True:
        try:
            response = await http.post(
                url,
                json={"query": RECORD, "variables": {"input": batch}},
                headers={"Authorization": f"Bearer {token}"},
            )
            body = response.json() if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError) as error:
            body = None
            ingest.codes[type(error).__name__] = ingest.codes.get(type(error).__name__, 0) + 1
        if body is not None:
            if body.get("errors") or body["data"] is None:
                ingest.failures.append(str(body)[:300])
            else:
                payload = body["data"]["activitiesRecord"]
                if not payload["errors"]:
                    for item, result in zip(batch, payload["results"], strict=True):
                        ingest.answered.add(item["idempotencyKey"])
                        if not result["duplicate"]:
                            ingest.acknowledged.add(item["idempotencyKey"])
                    ingest.successes.append((time.monotonic(), client))
                    return
                for error in payload["errors"]:
                    ingest.codes[error["code"]] = ingest.codes.get(error["code"], 0) + 1
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.5)


if __name__ == "__main__":
    _lock_contacts(sys.argv[1], sys.argv[2])
