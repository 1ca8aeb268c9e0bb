"""Token names are shown in the dashboard, `python -m api token list` and log lines: none may hold
a terminal escape, reorder or hide its text, or break a line."""

import pytest

from api.domain.access import Role
from api.services.errors import ServiceFailure
from api.services.tokens import create_token


@pytest.mark.parametrize(
    "name",
    [
        "csi\x9b31m",  # C1: an 8-bit escape introducer
        "next\x85line",  # C1: NEL
        "\u202etxt.exe",  # a right-to-left override
        "\u200b",  # only a zero-width space: a name that shows as nothing
        "a\u2028b",  # a line separator
        "a\ud800b",  # a lone surrogate (JSON may carry one)
    ],
)
async def test_names_with_invisible_or_control_characters_are_refused(store, name):
    with pytest.raises(ServiceFailure) as refused:
        await create_token(store, name, Role.VIEWER)
    assert [(e.field, e.code.value) for e in refused.value.errors] == [("name", "INVALID")]
    assert await store.tokens.all() == []


async def test_names_in_any_script_and_emoji_are_taken(store):
    for name in ("Zoë", "東京-ops", "ci 🤖", "é" * 100):
        _, record = await create_token(store, name, Role.VIEWER)
        assert record.name == name
