"""Settings from the environment, every one checked at start.

A setting that cannot be read stops the process with one message naming the variable and what it
allows (`SettingsError`; `python -m api` prints it and exits 2). An empty variable counts as
unset. `SCORING_ENV=production` changes the defaults and refuses what only development may do:
demo data, a dev token, the embedded database (unless SCORING_EMBEDDED=1); GraphiQL is off unless
SCORING_GRAPHIQL=1.
"""

import ipaddress
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Seconds between periodic rounds, and requests a second: above these a value is a typo.
MAX_INTERVAL = 86_400.0
MAX_RATE = 1_000_000_000.0
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
# Database names MongoDB refuses: these characters, or more than 63 bytes.
# A replay is held in memory before it is sent: 100,000 changes is the oplog's default size.
MAX_REPLAY = 100_000
BAD_DATABASE_NAME = re.compile(r'[/\\. "$*<>:|?\x00]')
# Every SCORING_* variable read by the API (the dashboard's are read by dashboard/config.py).
KNOWN = {
    "SCORING_ENV",
    "SCORING_EMBEDDED",
    "SCORING_DATABASE",
    "SCORING_HOST",
    "SCORING_PORT",
    "SCORING_DATA_DIR",
    "SCORING_EMBEDDED_PORT",
    "SCORING_DEMO_DATA",
    "SCORING_DEV_TOKEN",
    "SCORING_GRAPHIQL",
    "SCORING_EXPIRY_INTERVAL",
    "SCORING_NOTIFY_INTERVAL",
    "SCORING_RATE_LIMIT",
    "SCORING_RATE_BURST",
    "SCORING_API_URL",
    "SCORING_LIVE_SHARED",
    "SCORING_LIVE_REPLAY_MAX",
    "SCORING_GC_TUNING",
    # Read by api/observability/settings.py and api/cors.py.
    "SCORING_LOG_FORMAT",
    "SCORING_ACCESS_LOG",
    "SCORING_METRICS",
    "SCORING_METRICS_TOKEN",
    "SCORING_CORS_ORIGINS",
}


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class SettingsError(ValueError):
    """A setting that cannot be used; the message names the variable and what it allows."""


@dataclass(frozen=True)
class Settings:
    env: Environment = Environment.DEVELOPMENT
    mongodb_uri: str | None = None
    database: str = "contact_scoring"
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = ROOT / "data"
    embedded_port: int = 27018
    demo_data: bool = True
    graphiql: bool = True
    # Seconds between two runs of point expiry, and of sending due view notifications.
    expiry_interval: float = 60.0
    notify_interval: float = 60.0
    # Requests a second per token (anonymous callers: per address), and the burst allowed;
    # a rate of 0 turns the limit off.
    rate_limit: float = 200.0
    rate_burst: float = 2000.0
    # Live subscribers of one document, variables and role share one execution per event
    # (off: each executes its own, as before; kept to measure the difference).
    live_shared: bool = True
    # The most changes a resuming live subscriber is replayed; further back, it reloads.
    live_replay_max: int = 10_000
    # The garbage collector frozen and its young threshold raised after start-up, and what later
    # survives into the old generation frozen too (api/collector.py).
    gc_tuning: bool = True

    @property
    def production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @property
    def embedded(self) -> bool:
        """Whether the API runs on the embedded database (no MONGODB_URI)."""
        return self.mongodb_uri is None

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """The settings in `environ` (default: os.environ); raises SettingsError."""
        env = {k: v for k, v in (os.environ if environ is None else environ).items() if v != ""}
        mode = _environment(env)
        production = mode is Environment.PRODUCTION
        uri = env.get("MONGODB_URI")
        if uri is not None and not uri.startswith(("mongodb://", "mongodb+srv://")):
            raise SettingsError(
                "MONGODB_URI must be a MongoDB connection string (mongodb://... or "
                "mongodb+srv://...)"
            )
        embedded = flag(env, "SCORING_EMBEDDED", False)
        if embedded and uri is not None:
            raise SettingsError("SCORING_EMBEDDED=1 and MONGODB_URI are both set: choose one")
        if production and uri is None and not embedded:
            raise SettingsError(
                "MONGODB_URI is not set: production runs against a MongoDB replica set "
                "(set MONGODB_URI, or SCORING_EMBEDDED=1 to use the embedded database anyway)"
            )
        demo = flag(env, "SCORING_DEMO_DATA", not production)
        if production and demo:
            raise SettingsError("SCORING_DEMO_DATA: production seeds no demo data (unset it)")
        if production and "SCORING_DEV_TOKEN" in env:
            raise SettingsError(
                "SCORING_DEV_TOKEN is set: production creates no dev token; unset it and create "
                "tokens with `python -m api token`"
            )
        return cls(
            env=mode,
            mongodb_uri=uri,
            database=_database(env.get("SCORING_DATABASE", cls.database)),
            host=_host(env.get("SCORING_HOST", cls.host)),
            port=_port(env, "SCORING_PORT", cls.port),
            data_dir=_data_dir(env.get("SCORING_DATA_DIR", str(cls.data_dir))),
            embedded_port=_port(env, "SCORING_EMBEDDED_PORT", cls.embedded_port),
            demo_data=demo,
            graphiql=flag(env, "SCORING_GRAPHIQL", not production),
            expiry_interval=_seconds(env, "SCORING_EXPIRY_INTERVAL", cls.expiry_interval),
            notify_interval=_seconds(env, "SCORING_NOTIFY_INTERVAL", cls.notify_interval),
            rate_limit=_number(env, "SCORING_RATE_LIMIT", cls.rate_limit, 0, MAX_RATE, zero=True),
            rate_burst=_number(env, "SCORING_RATE_BURST", cls.rate_burst, 0, MAX_RATE),
            live_shared=flag(env, "SCORING_LIVE_SHARED", True),
            live_replay_max=int(
                _number(env, "SCORING_LIVE_REPLAY_MAX", cls.live_replay_max, 1, MAX_REPLAY)
            ),
            gc_tuning=flag(env, "SCORING_GC_TUNING", True),
        )


def _data_dir(text: str) -> Path:
    """A folder that exists or can be made (made here: everything after needs it)."""
    path = Path(text)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SettingsError(
            f"SCORING_DATA_DIR must be a folder this user can create or use, not {text!r} "
            f"({error.strerror})"
        ) from None
    return path


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def unknown_settings(environ: Mapping[str, str] | None = None) -> list[str]:
    """SCORING_* variables that no setting reads: most likely typos (SCORING_ENVIRONMENT)."""
    names = os.environ if environ is None else environ
    return sorted(n for n in names if n.startswith("SCORING_") and n not in KNOWN)


def _environment(env: Mapping[str, str]) -> Environment:
    text = env.get("SCORING_ENV")
    if text is None:
        return Environment.DEVELOPMENT
    try:
        return Environment(text.strip().lower())
    except ValueError:
        allowed = " or ".join(value.value for value in Environment)
        raise SettingsError(f"SCORING_ENV must be {allowed}, not {text!r}") from None


def flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    """A switch: on or off as written, the default when unset; anything else is refused."""
    text = env.get(name)
    if text is None:
        return default
    value = text.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise SettingsError(f"{name} must be 1 or 0 (true/false, yes/no), not {text!r}")


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name)
    if text is None:
        return default
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    if not text.strip().isdecimal() or not 1 <= int(text) <= 65535:
        raise SettingsError(f"{name} must be a port number from 1 to 65535, not {text!r}")
    return int(text)


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    return _number(env, name, default, 0, MAX_INTERVAL, unit=" of seconds")


def _number(
    env: Mapping[str, str],
    name: str,
    default: float,
    low: float,
    high: float,
    zero: bool = False,
    unit: str = "",
) -> float:
    """A number in (low, high], or [low, high] when `zero` allows the low end."""
    text = env.get(name)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    above = value >= low if zero else value > low
    if not (math.isfinite(value) and above and value <= high):
        least = f"{low:g} or more" if zero else f"more than {low:g}"
        raise SettingsError(
            f"{name} must be a number{unit}, {least} and at most {high:g}, not {text!r}"
        )
    return value


def _database(name: str) -> str:
    if BAD_DATABASE_NAME.search(name) or len(name.encode()) > 63:
        raise SettingsError(
            f"SCORING_DATABASE must be a MongoDB database name (at most 63 bytes, none of "
            f'/\\. "$*<>:|?), not {name!r}'
        )
    return name


def _host(host: str) -> str:
    if not host.strip() or any(c.isspace() for c in host):
        raise SettingsError(f"SCORING_HOST must be a host name or an IP address, not {host!r}")
    return host
