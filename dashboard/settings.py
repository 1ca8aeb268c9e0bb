"""Dashboard settings from the environment."""

import os
from pathlib import Path

# Development only: sign in with the API's dev token without asking.
DEV_SIGNIN = os.environ.get("DASHBOARD_DEV_SIGNIN") == "1"
DEV_TOKEN_FILE = Path(os.environ.get("SCORING_DATA_DIR", "data")) / "dev-token"


def dev_token() -> str:
    if DEV_SIGNIN and DEV_TOKEN_FILE.exists():
        return DEV_TOKEN_FILE.read_text().strip()
    return ""
