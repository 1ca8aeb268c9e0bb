"""The observability settings, from the environment."""

import os
from dataclasses import dataclass
from pathlib import Path

from api.config import SettingsError, flag
from api.observability.shared import ENV as SHARED_DIR


def _switch(name: str) -> bool:
    """On unless turned off (an empty value too); any other value stops the process."""
    text = os.environ.get(name, "")
    return flag({name: text} if text.strip() else {}, name, True)


@dataclass(frozen=True)
class ObserveSettings:
    # One JSON object per line instead of text.
    json_logs: bool = False
    # A line per HTTP request and websocket.
    access_log: bool = True
    # Counters and /metrics.
    metrics: bool = True
    # Who may read /metrics: with a token, whoever sends it as a bearer; else loopback callers.
    metrics_token: str | None = None
    # Several worker processes on one port: where each writes its metrics (shared.py).
    shared_dir: Path | None = None

    @classmethod
    def from_env(cls) -> "ObserveSettings":
        env = os.environ
        log_format = env.get("SCORING_LOG_FORMAT", "text").strip().lower()
        if log_format not in {"text", "json"}:
            raise SettingsError(f"SCORING_LOG_FORMAT is text or json, got {log_format!r}")
        shared = env.get(SHARED_DIR) or None
        if shared is not None and not os.path.isdir(shared):
            raise SettingsError(f"{SHARED_DIR} names {shared!r}, which is not a directory")
        return cls(
            json_logs=log_format == "json",
            access_log=_switch("SCORING_ACCESS_LOG"),
            metrics=_switch("SCORING_METRICS"),
            metrics_token=env.get("SCORING_METRICS_TOKEN") or None,
            shared_dir=Path(shared) if shared else None,
        )
