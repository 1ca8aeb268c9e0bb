"""Metrics of several worker processes on one port (`python -m api --workers N`).

Each worker writes its values to files of its own in the directory named by
PROMETHEUS_MULTIPROC_DIR (prometheus-client's multiprocess mode, chosen when it is first imported,
so the variable is set before the workers start); /metrics, whichever worker answers it, adds
them up. The parent makes a fresh private directory per run and removes it when it ends; a
directory left by a killed run is removed at the next start. A fresh one per run means that a
killed run's files can never be added to a new run's numbers.
"""

import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"
PREFIX = "scoring-metrics-"
_RUN = re.compile(rf"{PREFIX}([1-9][0-9]{{0,9}})-")
# Files of gauges that count live processes only (livesum, livemin): the process id is last.
_LIVE_GAUGE = re.compile(r"gauge_live[a-z]+_([1-9][0-9]{0,9})\.db")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale(parent: Path) -> None:
    """Directories of runs whose parent process is gone (killed, so it could not remove them)."""
    for entry in parent.glob(f"{PREFIX}*"):
        run = _RUN.match(entry.name)
        try:
            info = entry.lstat()
        except OSError:
            continue
        mine = stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
        if run and mine and not _alive(int(run.group(1))):
            shutil.rmtree(entry, ignore_errors=True)


def _fresh(parent: Path) -> Path:
    parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(parent)
    # mkdtemp: a new name, created atomically, mode 0700.
    return Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=parent))


@contextmanager
def worker_metrics(data_dir: Path) -> Iterator[Path]:
    """A fresh private directory for the workers' metric files (in the data directory, else the
    temporary directory), named in PROMETHEUS_MULTIPROC_DIR while the workers run."""
    try:
        path = _fresh(data_dir)
    except OSError:
        path = _fresh(Path(tempfile.gettempdir()))
    previous = os.environ.get(ENV)
    os.environ[ENV] = str(path)
    try:
        yield path
    finally:
        if previous is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = previous
        shutil.rmtree(path, ignore_errors=True)


def forget_dead_workers(path: Path) -> None:
    """Gauges of workers that died without saying so (kill -9) stop counting: a dead worker has
    no live subscribers. Their counters stay in the sums."""
    for entry in path.glob("gauge_live*.db"):
        found = _LIVE_GAUGE.fullmatch(entry.name)
        if found and not _alive(int(found.group(1))):
            entry.unlink(missing_ok=True)


def forget_worker(path: Path) -> None:
    """A worker that stops takes its live gauges with it (prometheus-client's
    mark_process_dead)."""
    for entry in path.glob(f"gauge_live*_{os.getpid()}.db"):
        entry.unlink(missing_ok=True)
