"""Settings from the environment."""

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    mongodb_uri: str | None = None
    database: str = "contact_scoring"
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = ROOT / "data"
    embedded_port: int = 27018
    demo_data: bool = True
    # Seconds between two runs of point expiry, and of sending due view notifications.
    expiry_interval: float = 60.0
    notify_interval: float = 60.0
    # Requests a second per token (anonymous callers: per address), and the burst allowed;
    # a rate of 0 turns the limit off.
    rate_limit: float = 200.0
    rate_burst: float = 2000.0

    @classmethod
    def from_env(cls) -> "Settings":
        env = os.environ
        return cls(
            mongodb_uri=env.get("MONGODB_URI") or None,
            database=env.get("SCORING_DATABASE", cls.database),
            host=env.get("SCORING_HOST", cls.host),
            port=int(env.get("SCORING_PORT", cls.port)),
            data_dir=Path(env.get("SCORING_DATA_DIR", str(cls.data_dir))),
            embedded_port=int(env.get("SCORING_EMBEDDED_PORT", cls.embedded_port)),
            demo_data=env.get("SCORING_DEMO_DATA", "1") not in {"0", "false", "no"},
            expiry_interval=_positive(env.get("SCORING_EXPIRY_INTERVAL"), cls.expiry_interval),
            notify_interval=_positive(env.get("SCORING_NOTIFY_INTERVAL"), cls.notify_interval),
            rate_limit=_not_negative(env.get("SCORING_RATE_LIMIT"), cls.rate_limit),
            rate_burst=_positive(env.get("SCORING_RATE_BURST"), cls.rate_burst),
        )


def _positive(text: str | None, default: float) -> float:
    value = float(text) if text else default
    if not value > 0:
        raise ValueError(f"expected a positive number, got {text!r}")
    return value


def _not_negative(text: str | None, default: float) -> float:
    value = float(text) if text else default
    if not value >= 0:
        raise ValueError(f"expected a number of requests a second, 0 or more, got {text!r}")
    return value
