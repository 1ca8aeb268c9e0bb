"""The dev token's file: readable by its user only from the first byte, never written through a
link planted at its path."""

import os
import stat

from api.bootstrap import ensure_dev_token


async def test_the_dev_token_file_is_private_from_creation(store, tmp_path):
    secret = await ensure_dev_token(store, tmp_path)
    token_file = tmp_path / "dev-token"
    assert token_file.read_text() == secret
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600


async def test_a_link_planted_at_the_path_is_replaced_not_followed(store, tmp_path):
    target = tmp_path / "elsewhere"
    target.write_text("untouched")
    os.symlink(target, tmp_path / "dev-token")
    secret = await ensure_dev_token(store, tmp_path)
    assert target.read_text() == "untouched"
    token_file = tmp_path / "dev-token"
    assert not token_file.is_symlink() and token_file.read_text() == secret
