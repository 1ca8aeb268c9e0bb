"""The embedded default database: SecantusDB (MongoDB wire protocol) as a separate process.

Used when MONGODB_URI is not set. Its GPL code stays out of our process: we only start it.
One server per data directory: a server already running on it is reused, not started twice.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def embedded_uri(port: int) -> str:
    # The embedded server slows down with retryable-write records: keep them off here only.
    return f"mongodb://127.0.0.1:{port}/?directConnection=true&retryWrites=false"


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


# A transaction left open by a killed client holds its locks until the server drops it: 60 s by
# default, a write stall for the contacts it touched. Ours take milliseconds between statements.
TRANSACTION_LIFETIME = 5
# The server's command line has no option for the transaction lifetime; its server class has.
_LAUNCH = (
    "import functools, sys\n"
    "from secantus import cli\n"
    "lifetime = float(sys.argv.pop(1))\n"
    "cli.SecantusDBServer = functools.partial(\n"
    "    cli.SecantusDBServer, transaction_lifetime_seconds=lifetime)\n"
    "sys.exit(cli.main())\n"
)


def server_command(storage: Path, port: int) -> list[str]:
    """The database server's command line. Every acknowledged write is durable (the server syncs
    its log on each commit, so a kill -9 right after an answer loses nothing), and transactions
    idle for TRANSACTION_LIFETIME seconds are rolled back."""
    return [
        sys.executable,
        "-c",
        _LAUNCH,
        str(TRANSACTION_LIFETIME),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--storage-path",
        str(storage),
        "--log-level",
        "WARNING",
        "--sync-on-commit",
    ]


# A restored data directory, complete, waiting to replace `mongo` (api/cli/backup.py).
RESTORED = ".mongo-restored"


class EmbeddedMongo:
    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir = data_dir
        self.port = port
        self.pid_file = data_dir / "mongo.pid"
        self.storage = data_dir / "mongo"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        return embedded_uri(self.port)

    def running_pid(self) -> int | None:
        if not self.pid_file.exists():
            return None
        pid, _, port = self.pid_file.read_text().partition(":")
        if pid.isdigit() and _alive(int(pid)) and port.strip() == str(self.port):
            return int(pid)
        return None

    def start(self, timeout: float = 30.0) -> None:
        storage = self.storage
        restored = self.data_dir / RESTORED
        if not storage.exists() and restored.exists():
            restored.rename(storage)  # a restore stopped between its two renames
        storage.mkdir(parents=True, exist_ok=True)
        if self.running_pid() is not None and _listening(self.port):
            return
        if _listening(self.port):
            raise RuntimeError(f"port {self.port} is taken by another program")
        log = (self.data_dir / "mongo.log").open("ab")
        self.process = subprocess.Popen(
            server_command(storage, self.port),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.pid_file.write_text(f"{self.process.pid}:{self.port}")
        deadline = time.monotonic() + timeout
        while not _listening(self.port):
            if self.process.poll() is not None:
                raise RuntimeError(f"the database exited; see {self.data_dir / 'mongo.log'}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the database did not start in time")
            time.sleep(0.1)

    def stop(self) -> None:
        """Stop the server this object started (by its PID), and nothing else."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.pid_file.unlink(missing_ok=True)
        self.process = None
