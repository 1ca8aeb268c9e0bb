"""Dashboard configuration from the environment."""

import ipaddress
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("SCORING_DATA_DIR") or ROOT / "data")

# Where the dashboard listens: this machine only, unless widened (for example to 0.0.0.0).
HOST = os.environ.get("DASHBOARD_HOST") or "127.0.0.1"


def origins() -> tuple[str, ...]:
    """The pages allowed to talk to the dashboard's backend: its own addresses only.

    Read when asked: `reflex run --frontend-port` sets REFLEX_FRONTEND_PORT after this module
    was first imported.
    """
    if listed := os.environ.get("DASHBOARD_ORIGINS"):
        return tuple(origin.strip().rstrip("/") for origin in listed.split(",") if origin.strip())
    port = os.environ.get("REFLEX_FRONTEND_PORT") or os.environ.get("DASHBOARD_PORT") or "3000"
    hosts = ["127.0.0.1", "localhost"]
    if HOST not in ("0.0.0.0", "::", *hosts):
        hosts.append(f"[{HOST}]" if ":" in HOST else HOST)
    return tuple(f"http://{host}:{port}" for host in hosts)


# Development only: the sign-in page offers the API's dev token to a browser on this machine.
DEV_SIGNIN = os.environ.get("DASHBOARD_DEV_SIGNIN") == "1"
DEV_TOKEN_FILE = DATA_DIR / "dev-token"
SESSIONS_FILE = DATA_DIR / "dashboard-sessions.json"


def dev_token() -> str:
    if DEV_SIGNIN and DEV_TOKEN_FILE.exists():
        return DEV_TOKEN_FILE.read_text().strip()
    return ""


def is_loopback(ip: str) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    return address.is_loopback or bool(mapped and mapped.is_loopback)
