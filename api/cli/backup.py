"""`python -m api backup FILE` and `python -m api restore FILE`, for the embedded database.

Backup asks the running server for a consistent snapshot (api/db/archive.py), written beside FILE
under a temporary name and linked to FILE when complete: FILE is a whole backup or absent.
Restore needs the server stopped (a live data directory cannot be opened twice): it refuses while
a server holds the data directory, unpacks the archive into a staging directory next to it (with
SecantusDB's own tool, in a separate process), then swaps the two directories in one rename and
keeps the replaced data as `mongo-before-restore-<time>`. A kill at any step leaves either the old
data or the restored data in place, never a mix (api/embedded.py finishes an interrupted swap).
"""

import asyncio
import contextlib
import ctypes
import fcntl
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from api.cli.database import database
from api.cli.errors import CommandError
from api.config import Settings
from api.db.archive import write_archive
from api.db.client import Store
from api.db.faults import DatabaseError
from api.embedded import RESTORED, EmbeddedMongo

MONGODB_ADVICE = (
    "MONGODB_URI is set: back up MongoDB with `mongodump --oplog` (or your replica set's "
    "snapshots) and restore with `mongorestore --oplogReplay`; backup and restore are for the "
    "embedded database"
)
RESTORING = ".mongo-restoring"
AT_FDCWD, RENAME_EXCHANGE = -100, 2


async def _backup(uri: str, database_name: str, path: Path) -> int:
    store = Store(uri, database_name)
    try:
        return await write_archive(store, str(path))
    finally:
        store.close()


def run_backup(settings: Settings, file: str) -> None:
    if settings.mongodb_uri is not None:
        raise CommandError(MONGODB_ADVICE)
    target = Path(file).resolve()
    if target.exists():
        raise CommandError(f"{target} exists: a backup never overwrites a file")
    if not target.parent.is_dir():
        raise CommandError(f"{target.parent} is not a directory")
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        with database(settings) as uri:
            size = asyncio.run(_backup(uri, settings.database, partial))
        os.link(partial, target)  # fails, rather than overwrite, if FILE appeared meanwhile
    except DatabaseError as error:
        raise CommandError(f"the backup failed: {error}") from None
    except FileExistsError:
        raise CommandError(f"{target} exists: a backup never overwrites a file") from None
    finally:
        partial.unlink(missing_ok=True)
    print(f"Backup written: {target} ({size} bytes)")


def _check_archive(source: Path) -> None:
    if not source.is_file():
        raise CommandError(f"{source} is not a file")
    try:
        with tarfile.open(source, "r:gz") as archive:
            names = archive.getnames()
    except (tarfile.TarError, OSError, EOFError) as error:
        raise CommandError(f"{source} is not a backup archive (.tar.gz): {error}") from None
    if "WiredTiger" not in names:
        raise CommandError(f"{source} is not a backup of the embedded database")


@contextlib.contextmanager
def _no_server(settings: Settings, storage: Path) -> Iterator[None]:
    """Hold the data directory's lock (the one the database server takes) meanwhile; refuse when
    a server (so an API) runs on it."""
    running = EmbeddedMongo(settings.data_dir, settings.embedded_port).running_pid()
    busy = (
        f"the embedded database runs on {settings.data_dir} (stop the API, or the server: "
        f"{'pid ' + str(running) if running else 'see its lock'}), then restore"
    )
    if running is not None:
        raise CommandError(busy)
    lock_file = storage / "WiredTiger.lock"
    if not lock_file.exists():
        yield
        return
    with lock_file.open("rb+") as lock:
        try:
            fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise CommandError(busy) from None
        yield


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one step (Linux renameat2); False where that is not possible."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    return bool(renameat2(AT_FDCWD, bytes(a), AT_FDCWD, bytes(b), RENAME_EXCHANGE) == 0)


def _unpack(source: Path, staging: Path) -> None:
    command = [sys.executable, "-m", "secantus.restore_cli", "--archive", str(source)]
    done = subprocess.run(
        [*command, "--target-dir", str(staging)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise CommandError(f"could not unpack {source}: {done.stderr.strip()}")


def run_restore(settings: Settings, file: str) -> None:
    if settings.mongodb_uri is not None:
        raise CommandError(MONGODB_ADVICE)
    source = Path(file).resolve()
    _check_archive(source)
    storage = EmbeddedMongo(settings.data_dir, settings.embedded_port).storage
    staging, restored = settings.data_dir / RESTORING, settings.data_dir / RESTORED
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with _no_server(settings, storage):
        for stale in (staging, restored):  # left by a restore that was stopped
            shutil.rmtree(stale, ignore_errors=True)
        _unpack(source, staging)
        staging.rename(restored)
        if not storage.exists():
            restored.rename(storage)
            print(f"Restored {source} into {storage}")
            return
        kept = settings.data_dir / f"mongo-before-restore-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
        if _exchange(restored, storage):
            restored.rename(kept)
        else:  # two renames: a kill between them is finished by the next start (api/embedded.py)
            storage.rename(kept)
            restored.rename(storage)
    print(f"Restored {source} into {storage}; the data it replaced: {kept} (delete it when done)")
