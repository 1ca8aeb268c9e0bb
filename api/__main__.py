"""`python -m api`: run the product (embedded database unless MONGODB_URI is set).

python -m api [--workers N]      run the API (development: demo data on first start)
python -m api token ...          API tokens: list, create, revoke (api/cli/token.py)
python -m api backup FILE        write a backup of the embedded database to FILE (.tar.gz)
python -m api restore FILE       replace the embedded database with a backup (API stopped)

Every setting is checked first (api/config.py): one that cannot be used stops it with a message
on stderr and exit code 2.
"""

import argparse
import signal
import sys

from api.cli.backup import run_backup, run_restore
from api.cli.errors import CommandError, refuse
from api.cli.serve import MAX_WORKERS, run_serve
from api.cli.token import run_token
from api.config import Settings, SettingsError, unknown_settings
from api.cors import allowed_origins
from api.observability.logs import configure_logging
from api.observability.settings import ObserveSettings


def _workers(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"a number of processes from 1 to {MAX_WORKERS}")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m api")
    parser.add_argument(
        "--workers", type=_workers, default=1, help="API processes behind the port (default 1)"
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the API (default)")
    token = sub.add_parser("token", help="API tokens: list, create, revoke", add_help=False)
    token.add_argument("words", nargs=argparse.REMAINDER)
    backup = sub.add_parser("backup", help="back up the embedded database (it may be running)")
    backup.add_argument("file", help="the archive to write (.tar.gz); must not exist")
    restore = sub.add_parser("restore", help="restore the embedded database (API stopped)")
    restore.add_argument("file", help="an archive written by `python -m api backup`")
    return parser


def main() -> None:
    parser = _parser()
    args, extra = parser.parse_known_args()
    if extra and args.command != "token":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        settings = Settings.from_env()
        observe = ObserveSettings.from_env()
        allowed_origins()
    except SettingsError as error:
        refuse(str(error))
    configure_logging(observe.json_logs)
    for name in unknown_settings():
        print(f"python -m api: {name} is not a setting (a typo?): ignored", file=sys.stderr)
    # uvicorn re-raises the signal that stopped it: make SIGTERM unwind like Ctrl-C, so that the
    # embedded database is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        if args.command == "token":
            sys.exit(run_token(settings, [*extra, *args.words]))
        elif args.command == "backup":
            run_backup(settings, args.file)
        elif args.command == "restore":
            run_restore(settings, args.file)
        else:
            run_serve(settings, args.workers)
    except CommandError as error:
        refuse(str(error))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
