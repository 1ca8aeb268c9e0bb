"""First-start chores: the dev admin token and the demo data."""

import os
from pathlib import Path

from api.db.client import Store
from api.domain.access import Role

DEV_TOKEN_NAME = "dev-admin"


async def ensure_dev_token(store: Store, data_dir: Path) -> str | None:
    """The dev admin token: created at first start, kept in data/dev-token (readable by you only).

    SCORING_DEV_TOKEN sets its secret, for scripted set-ups. None when a token exists but its
    secret is not on this machine.
    """
    token_file = data_dir / "dev-token"
    if await store.tokens.by_name(DEV_TOKEN_NAME) is None:
        secret, _ = await store.tokens.create(
            DEV_TOKEN_NAME, Role.ADMIN, os.environ.get("SCORING_DEV_TOKEN") or None
        )
        data_dir.mkdir(parents=True, exist_ok=True)
        _write_private(token_file, secret)
        return secret
    if token_file.exists():
        secret = token_file.read_text().strip()
        if await store.tokens.find(secret) is not None:
            return secret
    return None


def _write_private(path: Path, text: str) -> None:
    """Readable by this user only from the first byte on, and never through a link planted at
    the path."""
    path.unlink(missing_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    with os.fdopen(os.open(path, flags, 0o600), "w") as file:
        file.write(text)
