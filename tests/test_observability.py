"""Logs, request ids, metrics and the websocket's Authorization header, against a real
`python -m api` process (JSON logs, a metrics token) and the third-party gql-cli."""

import json
import logging
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pymongo
import pytest
import websockets

from api.embedded import free_port
from api.observability.logs import TextLines

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "cs_observe_" + uuid.uuid4().hex
METRICS_TOKEN = "metrics-" + uuid.uuid4().hex
SMTP_PASSWORD = "smtp-secret-" + uuid.uuid4().hex
SUBSCRIBE = "subscription { scoreChanged { score contact { email } } }"


@dataclass
class Process:
    base: str
    log: Path

    @property
    def url(self) -> str:
        return f"{self.base}/graphql"

    def post(self, query: str, headers: dict | None = None, **extra: object) -> httpx.Response:
        headers = {"Authorization": f"Bearer {TOKEN}", **(headers or {})}
        body = {"query": query, **extra}
        return httpx.post(self.url, json=body, headers=headers, timeout=30)

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def served(mongo_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Process]:
    tmp = tmp_path_factory.mktemp("observe")
    port = free_port()
    database = f"test_obs_{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "MONGODB_URI": mongo_uri,
        "SCORING_DATABASE": database,
        "SCORING_PORT": str(port),
        "SCORING_DATA_DIR": str(tmp),
        "SCORING_DEV_TOKEN": TOKEN,
        "SCORING_DEMO_DATA": "0",
        "SCORING_LOG_FORMAT": "json",
        "SCORING_METRICS_TOKEN": METRICS_TOKEN,
    }
    log = tmp / "api.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "api"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield Process(base, log)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        with pymongo.MongoClient(mongo_uri) as client:
            client.drop_database(database)


def test_log_lines_are_json_with_request_fields_and_no_secrets(served: Process) -> None:
    asked = served.post(
        "query WhoAmI { me { name role } }",
        headers={"X-Request-Id": "trace-42"},
        operationName="WhoAmI",
    )
    assert asked.status_code == 200 and asked.headers["x-request-id"] == "trace-42"
    smtp = served.post(
        "mutation($input: SmtpSettingsUpdateInput!) { smtpSettingsUpdate(input: $input) "
        "{ errors { code } } }",
        variables={
            "input": {
                "host": "127.0.0.1",
                "port": 2525,
                "sender": "scores@example.com",
                "username": "mailer",
                "password": SMTP_PASSWORD,
            }
        },
    )
    assert smtp.json()["data"]["smtpSettingsUpdate"]["errors"] == []
    rejected = served.post("{ me { name } }", headers={"Authorization": "Bearer wrong-" + TOKEN})
    # Insane ids are replaced: too long, or with characters a log reader could trip on.
    for bad in ("x" * 65, "id with spaces", "a\tb", "<script>"):
        answer = httpx.get(f"{served.base}/health", headers={"X-Request-Id": bad})
        assert answer.headers["x-request-id"] != bad
        assert len(answer.headers["x-request-id"]) == 32
    generated = rejected.headers["x-request-id"]
    time.sleep(0.3)

    text = served.log.read_text()
    for secret in (TOKEN, SMTP_PASSWORD, METRICS_TOKEN, "Bearer"):
        assert secret not in text
    lines = served.lines()  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    [who] = [line for line in lines if line.get("request_id") == "trace-42"]
    assert who["logger"] == "api.access" and who["level"] == "INFO"
    assert who["operation"] == "WhoAmI" and who["token"] == "dev-admin"
    assert who["status"] == 200 and who["duration_ms"] > 0 and who["time"].endswith("Z")
    refused = [line for line in lines if line.get("request_id") == generated]
    assert refused and all("token" not in line for line in refused)


def test_metrics_count_operations_with_bounded_labels(served: Process) -> None:
    for _ in range(3):
        assert served.post("{ scoreSheet { enabled } }").status_code == 200
    for n in range(5):  # made-up operation names and fields make no new series
        served.post(f"query Made{n}Up {{ __typename }}", operationName=f"Made{n}Up")
        served.post(f"{{ madeUpField{n} }}")
    served.post("{ contact(email: 42) { id } }")

    assert httpx.get(f"{served.base}/metrics").status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert httpx.get(f"{served.base}/metrics", headers=wrong).status_code == 401
    answer = httpx.get(
        f"{served.base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    )
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    text = answer.text
    values = {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }
    assert values['scoring_http_requests_total{operation="scoreSheet",status="200"}'] >= 3
    assert values['scoring_http_requests_total{operation="other",status="200"}'] >= 10
    assert 'scoring_http_request_duration_seconds_count{operation="scoreSheet"}' in values
    assert values['scoring_errors_total{code="GRAPHQL_ERROR"}'] >= 6
    assert values['scoring_errors_total{code="UNAUTHENTICATED"}'] >= 1
    for name in (
        "scoring_live_subscribers",
        "scoring_live_stream_up",
        "scoring_live_fell_behind_total",
        "scoring_commit_retries_total",
        "scoring_emails_sent_total",
        "scoring_emails_failed_total",
    ):
        assert name in values, name
    assert values["scoring_live_stream_up"] == 1
    assert "Made" not in text and "madeUp" not in text
    assert "dev-admin" not in text and "@example.com" not in text


def test_gql_cli_subscribes_with_the_authorization_header(served: Process) -> None:
    """`gql-cli ws://... -H Authorization:Bearer T` (it cannot send connection_params)."""
    made = served.post('mutation { contactUpsert(input: {email: "cli@example.com"}) { created } }')
    assert made.json()["data"]["contactUpsert"]["created"] is True
    cli = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gql-cli"),
            served.url.replace("http", "ws"),
            "-H",
            f"Authorization:Bearer {TOKEN}",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert cli.stdin is not None and cli.stdout is not None
        cli.stdin.write(SUBSCRIBE)
        cli.stdin.close()
        time.sleep(2)  # until the subscription is registered
        assert cli.poll() is None, cli.stderr.read() if cli.stderr else ""
        record = (
            'mutation { activityRecord(input: {contactEmail: "cli@example.com", '
            "type: REFER_FRIEND}) { entry { points } } }"
        )
        assert served.post(record).json()["data"]["activityRecord"]["entry"]["points"] == 30
        line = cli.stdout.readline()
        assert json.loads(line)["scoreChanged"] == {
            "score": 30,
            "contact": {"email": "cli@example.com"},
        }
    finally:
        cli.kill()
        cli.wait()


def test_gql_cli_without_a_token_is_refused(served: Process) -> None:
    cli = subprocess.run(
        [str(Path(sys.executable).parent / "gql-cli"), served.url.replace("http", "ws")],
        input=SUBSCRIBE,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert cli.returncode != 0 and "4403" in cli.stderr + cli.stdout


async def test_websocket_origins(served: Process) -> None:
    ws_url = served.url.replace("http", "ws")
    with pytest.raises(websockets.InvalidStatus) as refused:
        await websockets.connect(
            ws_url, subprotocols=["graphql-transport-ws"], origin="http://evil.example"
        )
    assert refused.value.response.status_code == 403
    # The dashboard's own origin (the default list) may connect, with the token in the header.
    async with websockets.connect(
        ws_url,
        subprotocols=["graphql-transport-ws"],
        origin="http://127.0.0.1:3000",
        additional_headers={"Authorization": f"Bearer {TOKEN}"},
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"


def test_text_lines_escape_control_characters() -> None:
    """A path is percent-decoded: a newline in it must not start a forged line."""
    record = logging.LogRecord("api.access", logging.INFO, "", 0, "GET %s", ("/a\nINFO x",), None)
    record.request_id = "r1"
    line = TextLines().format(record)
    assert "\n" not in line and "/a\\x0aINFO x" in line and "request_id=r1" in line
