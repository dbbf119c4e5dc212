"""Settings: defaults, overridden by a TOML file, overridden by command-line options.

Every setting has a default, so the CLI works with no config file at all. See
``config.example.toml`` for each setting with its default and what it is for.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

DEFAULT_SOURCES = Path("seeds")
DEFAULT_DB = Path("index/briefing.db")


class ConfigError(Exception):
    """A config file that cannot be used; the message names the file and the problem."""


@dataclass
class DiscordConfig:
    """The ``[discord]`` table. The token itself is best kept in the environment."""

    token_env: str = "DISCORD_TOKEN"
    token: str | None = field(default=None, repr=False)
    answer_channels: list[int] = field(default_factory=list)
    admin_user_ids: list[int] = field(default_factory=list)
    admin_role_ids: list[int] = field(default_factory=list)
    dev_guild_ids: list[int] = field(default_factory=list)
    cooldown_rate: int = 3
    cooldown_per: float = 30.0
    excerpts: int = 3
    button_timeout: float = 900.0
    alert_channel: int | None = None
    shard_count: int | None = None
    shard_ids: list[int] | None = None

    def resolve_token(self) -> str | None:
        """The token from the environment variable, else from the file; never logged."""
        return os.environ.get(self.token_env) or self.token


@dataclass
class Config:
    sources: Path = DEFAULT_SOURCES
    db: Path = DEFAULT_DB
    top: int = 3
    discord: DiscordConfig = field(default_factory=DiscordConfig)


def load_config(
    path: Path | None = None, *, sources: Path | None = None, db: Path | None = None
) -> Config:
    """Read ``path`` (if given) and apply the command-line overrides ``sources`` and ``db``.

    Relative paths in a config file are relative to the file, so a config works from any
    working directory; without a file they are relative to the working directory.
    """
    config = Config()
    if path is not None:
        apply_file(config, path)
    if sources is not None:
        config.sources = sources
    if db is not None:
        config.db = db
    return config


def apply_file(config: Config, path: Path) -> None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read config file {path}: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"invalid TOML in {path}: {error}") from None
    base = path.parent
    core = data.get("briefing", {})
    check_keys(path, "briefing", core, {"sources", "db", "top"})
    if "sources" in core:
        config.sources = base / expect(path, "briefing.sources", core["sources"], str)
    if "db" in core:
        config.db = base / expect(path, "briefing.db", core["db"], str)
    if "top" in core:
        config.top = expect(path, "briefing.top", core["top"], int)
    discord = data.get("discord", {})
    known = {f.name: f for f in fields(DiscordConfig)}
    check_keys(path, "discord", discord, set(known))
    for key, value in discord.items():
        setattr(config.discord, key, value)


def check_keys(path: Path, table: str, values: Any, allowed: set[str]) -> None:
    if not isinstance(values, dict):
        raise ConfigError(f"{path}: [{table}] must be a table")
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ConfigError(f"{path}: unknown setting {table}.{unknown[0]}")


def expect(path: Path, name: str, value: Any, kind: type) -> Any:
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise ConfigError(f"{path}: {name} must be a {kind.__name__}")
    return value
