"""Log lines with a timestamp, level, the request id, operation and token name (never the token),
as text or as one JSON object per line (SCORING_LOG_FORMAT=json)."""

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from api.observability.current import current

# Attributes of a record that a line may carry, beyond its message.
FIELDS = ("request_id", "operation", "token", "method", "path", "status", "duration_ms", "errors")
# Messages are cut to this length: a log line never carries a whole request.
MAX_MESSAGE = 2000
# Control characters (a decoded path may hold a newline) are escaped, so that nobody can forge a
# text line.
_ESCAPED = {code: f"\\x{code:02x}" for code in (*range(32), 127)}


class RequestFields(logging.Filter):
    """Gives every record the current request's id, operation and token name."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = current.get()
        if request is not None:
            record.request_id = getattr(record, "request_id", request.request_id)
            record.operation = getattr(
                record, "operation", request.operation_name or request.operation
            )
            record.token = getattr(record, "token", request.token)
        return True


def _time(record: logging.LogRecord) -> str:
    stamp = datetime.fromtimestamp(record.created, UTC)
    return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {name: value for name in FIELDS if (value := getattr(record, name, None)) is not None}


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": _time(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage()[:MAX_MESSAGE],
            **_fields(record),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class TextLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        extra = " ".join(f"{name}={value}" for name, value in _fields(record).items())
        text = f"{_time(record)} {record.levelname} {record.name}: {record.getMessage()}"
        text = (text[:MAX_MESSAGE] + (f" [{extra}]" if extra else "")).translate(_ESCAPED)
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def configure_logging(json_lines: bool, level: int = logging.INFO) -> None:
    """The root logger writes to stderr in the chosen format; uvicorn's loggers pass through it
    (run uvicorn with log_config=None)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines() if json_lines else TextLines())
    handler.addFilter(RequestFields())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
