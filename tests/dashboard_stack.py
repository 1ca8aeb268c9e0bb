"""A running stack for browser tests: database, API, seeded data, and the Reflex dashboard."""

import asyncio
import contextlib
import fcntl
import hashlib
import os
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
from playwright.sync_api import Browser, expect, sync_playwright

from api.db.client import Store
from api.domain.access import Role
from api.domain.activities import ActivityType
from api.domain.contacts import ContactDetails
from api.embedded import free_port
from api.services.activities import ActivityInput, record_activities

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = [
    ("ada@example.com", "Ada", "Lovelace", "India", 3),
    ("alan@example.com", "Alan", "Turing", "United Kingdom", 2),
    ("grace@example.com", "Grace", "Hopper", "United States", 1),
    ("linus@example.com", "Linus", "Torvalds", "Finland", 0),
]


async def seed(uri: str, database: str) -> dict[Role, str]:
    store = Store(uri, database)
    try:
        await store.ensure_indexes()
        tokens = {}
        for role in Role:
            tokens[role], _ = await store.tokens.create(f"e2e-{role.value.lower()}", role)
        for email, first, last, country, campaigns in PEOPLE:
            await store.contacts.upsert(
                email,
                ContactDetails(
                    first_name=first, last_name=last, country=country, mailing_lists=["Newsletter"]
                ),
            )
            activities = [
                ActivityInput(email, kind, f"c{n}")
                for n in range(campaigns)
                for kind in (
                    ActivityType.OPEN,
                    ActivityType.CLICK,
                    ActivityType.CLICK,
                    ActivityType.CLICK,
                )
            ]
            if activities:
                await record_activities(store, activities)
        return tokens
    finally:
        store.close()


class RepositoryLock:
    """`reflex run` compiles and builds into the repository's .web: one at a time across the test
    workers (pytest-xdist processes), any number within one process (a test may start a second
    dashboard beside its module's)."""

    path = Path(tempfile.gettempdir()) / (
        "reflex-" + hashlib.sha256(str(ROOT).encode()).hexdigest()[:12] + ".lock"
    )

    def __init__(self) -> None:
        self.held = 0
        self.mutex = threading.Lock()
        self.file: int | None = None

    def __enter__(self) -> None:
        with self.mutex:
            if self.held == 0:
                self.file = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                fcntl.flock(self.file, fcntl.LOCK_EX)
            self.held += 1

    def __exit__(self, *exc: object) -> None:
        with self.mutex:
            self.held -= 1
            if self.held == 0 and self.file is not None:
                os.close(self.file)  # releases the lock
                self.file = None


repository = RepositoryLock()


@dataclass
class Stack:
    url: str
    api_url: str
    tokens: dict[Role, str]

    def graphql(self, query: str, variables: dict | None = None, role: Role = Role.ADMIN) -> dict:
        response = httpx.post(
            self.api_url,
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {self.tokens[role]}"},
            timeout=30,
        )
        body = response.json()
        assert "errors" not in body, body
        return body["data"]


class ReflexServer:
    """`reflex run --env prod` in its own process group, stopped by its PID."""

    def __init__(
        self, api_url: str, log: Path, dev_signin: bool = False, host: str = "127.0.0.1"
    ) -> None:
        self.port = free_port()
        self.host = host
        self.url = f"http://{host}:{self.port}"
        self.api_url = api_url
        self.log = log
        # The dashboard's data (its sign-ins, the dev token it may offer): beside its log.
        self.data_dir = log.parent
        self.dev_signin = dev_signin
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "ReflexServer":
        env = {
            **os.environ,
            "SCORING_API_URL": self.api_url,
            "REFLEX_USE_NPM": "1",
            "REFLEX_TELEMETRY_ENABLED": "0",
            "REFLEX_CHECK_LATEST_VERSION": "0",
            "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
            "SCORING_DATA_DIR": str(self.data_dir),
            "DASHBOARD_DEV_SIGNIN": "1" if self.dev_signin else "0",
            "DASHBOARD_HOST": self.host,
        }
        for name in ("DASHBOARD_ORIGINS", "DASHBOARD_PORT"):
            env.pop(name, None)
        repository.__enter__()
        self.process = self._start(env)
        deadline = time.monotonic() + 240  # the first run installs the frontend from npm
        while True:
            if self.process.poll() is not None:
                self.__exit__()
                raise RuntimeError(f"reflex exited; see {self.log}")
            if time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError(f"reflex did not start; see {self.log}")
            try:
                if httpx.get(f"{self.url}/").status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(1)

    def _start(self, env: dict[str, str]) -> subprocess.Popen[bytes]:
        try:
            return subprocess.Popen(
                [
                    "reflex",
                    "run",
                    "--env",
                    "prod",
                    "--frontend-port",
                    str(self.port),
                    "--backend-port",
                    str(self.port),
                ],
                cwd=ROOT,
                env=env,
                stdout=self.log.open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except BaseException:
            repository.__exit__()
            raise

    def __exit__(self, *exc: object) -> None:
        if self.process is None:
            return
        process, self.process = self.process, None
        try:
            with contextlib.suppress(ProcessLookupError):  # its group may be gone already
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        finally:
            repository.__exit__()


def new_database() -> str:
    return f"e2e_{uuid.uuid4().hex[:10]}"


def seed_sync(uri: str, database: str) -> dict[Role, str]:
    # Playwright's sync API holds an event loop in this thread: seed from another one.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, seed(uri, database)).result()


CHROMIUM = "/usr/bin/chromium"
# What the screens are waited for (5 s by default): the tests share two cores with other tests'
# servers, and a page's answer may wait for them.
expect.set_options(timeout=15_000)


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()
