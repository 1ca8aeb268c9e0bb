"""The README's run command: embedded database, API, dev token and demo data, stopped cleanly."""

import contextlib
import ipaddress
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from api.embedded import free_port
from tests.dashboard_stack import repository

ROOT = Path(__file__).resolve().parent.parent


def test_run_command_serves_demo_data_and_stops_its_database(tmp_path):
    port, db_port = free_port(), free_port()
    env = {
        **os.environ,
        "SCORING_PORT": str(port),
        "SCORING_EMBEDDED_PORT": str(db_port),
        "SCORING_DATA_DIR": str(tmp_path),
        "SCORING_DEV_TOKEN": "cs_test_dev_token",
    }
    env.pop("MONGODB_URI", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "api"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, process.stdout.read()
            assert time.monotonic() < deadline, "the API did not come up"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        database_pid = int((tmp_path / "mongo.pid").read_text().split(":")[0])
        response = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            json={
                "query": "{ me { role } contacts { totalCount } "
                "classification { counts { count } } }"
            },
            headers={"Authorization": "Bearer cs_test_dev_token"},
        ).json()
        assert response["data"]["me"]["role"] == "ADMIN"
        assert response["data"]["contacts"]["totalCount"] == 120
        assert sum(c["count"] for c in response["data"]["classification"]["counts"]) == 120
        page = httpx.get(f"http://127.0.0.1:{port}/graphql", headers={"Accept": "text/html"})
        assert "graphiql" in page.text.lower()
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert "Dev token (admin): cs_test_dev_token" in output
    assert not (tmp_path / "mongo.pid").exists()
    try:
        os.kill(database_pid, 0)
    except ProcessLookupError:
        pass
    else:
        raise AssertionError("the embedded database is still running")


def stopped_output(process: subprocess.Popen, data_dir: Path) -> str:
    """What the run command printed once it stopped; if it does not stop in time, it and the
    database it started are killed (so no test leaves servers behind) and the test fails."""
    try:
        output, _ = process.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        pid_file = data_dir / "mongo.pid"
        if pid_file.exists():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.killpg(int(pid_file.read_text().partition(":")[0]), signal.SIGKILL)
        raise
    return output


def listening_addresses(port: int) -> set[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """The addresses this machine accepts TCP connections on for a port (Linux /proc/net)."""
    found: set[ipaddress.IPv4Address | ipaddress.IPv6Address] = set()
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state != "0A" or int(hex_port, 16) != port:  # 0A: LISTEN
                continue
            raw = bytes.fromhex(address)
            # The kernel prints each 32-bit word in host (little-endian) order.
            words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
            found.add(ipaddress.ip_address(words))
    return found


def test_readme_run_command_starts_api_and_dashboard(tmp_path):
    """`scripts/run`: the database, the API with demo data, and the dashboard; Ctrl-C stops all."""
    with repository:  # its dashboard builds into the repository's .web
        _run_and_stop_everything(tmp_path)


def _run_and_stop_everything(tmp_path: Path) -> None:
    port, dashboard_port, db_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "SCORING_PORT": str(port),
        "DASHBOARD_PORT": str(dashboard_port),
        "SCORING_EMBEDDED_PORT": str(db_port),
        "SCORING_DATA_DIR": str(tmp_path),
    }
    env.pop("MONGODB_URI", None)
    process = subprocess.Popen(
        ["scripts/run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        while True:
            assert process.poll() is None, process.stdout.read()
            assert time.monotonic() < deadline, "the dashboard did not come up"
            try:
                if httpx.get(f"http://127.0.0.1:{dashboard_port}/").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(1)
        token = (tmp_path / "dev-token").read_text().strip()
        response = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": "{ contacts { totalCount } }"},
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        assert response["data"]["contacts"]["totalCount"] == 120
        # Everything it starts listens on this machine only.
        for own in (port, dashboard_port, db_port):
            listening = listening_addresses(own)
            assert listening and all(address.is_loopback for address in listening), (own, listening)
        # And the dashboard answers its own pages only.
        page = f"http://127.0.0.1:{dashboard_port}"
        for origin, status in ((page, 200), ("http://evil.example", 403)):
            assert httpx.get(f"{page}/ping", headers={"Origin": origin}).status_code == status
    finally:
        os.killpg(process.pid, signal.SIGINT)
        output = stopped_output(process, tmp_path)
    assert "Dashboard: http://127.0.0.1:" in output
    for gone in (port, dashboard_port, db_port):
        try:
            httpx.get(f"http://127.0.0.1:{gone}/", timeout=2)
        except httpx.TransportError:
            continue
        raise AssertionError(f"port {gone} still answers after stopping")
