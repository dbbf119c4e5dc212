"""The Discord stand-in and bot fixtures of the end-to-end tests, for the Discord-side
robustness tests (one stand-in and one bot process per module)."""

from tests.e2e.conftest import bot, discord_would_accept, standin  # noqa: F401 - fixtures
