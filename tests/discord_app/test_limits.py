"""What the bot makes up itself (button ids, nonces) stays within Discord's limits."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bot.discord_app.limits import CUSTOM_ID_LIMIT, NONCE_LIMIT
from bot.discord_app.replies import reply_nonce
from bot.discord_app.views import ContextButton, MoreButton, PageButton, custom_id

LARGEST_SNOWFLAKE = 2**64 - 1


def test_the_longest_button_ids_fit_and_are_read_back() -> None:
    key = "f" * 12
    buttons = [
        MoreButton(key, 999),
        ContextButton(key, 999),
        PageButton("sources", -999, "Previous"),
        PageButton("sources", 9999, "Next"),
    ]
    for button in buttons:
        made = button.item.custom_id
        assert made is not None and len(made) <= CUSTOM_ID_LIMIT
        assert type(button).__discord_ui_compiled_template__.fullmatch(made), made


def test_an_id_over_the_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="custom id"):
        custom_id("x" * CUSTOM_ID_LIMIT)


def test_reply_nonces_fit() -> None:
    message = SimpleNamespace(id=LARGEST_SNOWFLAKE)
    for kind in "aec":
        assert len(reply_nonce(kind, message)) <= NONCE_LIMIT  # type: ignore[arg-type]
