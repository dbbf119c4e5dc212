"""Settings: defaults, overridden by a TOML file, overridden by command-line options.

Every setting has a default, so the CLI works with no config file at all. See
``config.example.toml`` for each setting with its default and what it is for.

The file is checked completely when it is read (every table, key, type and range), so a typo
or a value out of range stops every command at once with one line per problem, instead of a
bot that runs without its admins or locks a user out with ``cooldown_per = nan``.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_SOURCES = Path("seeds")
DEFAULT_DB = Path("index/briefing.db")

# Discord ids are snowflakes: positive 64-bit numbers.
MAX_ID = 2**63 - 1
# More shards than any bot runs (2,500 servers each): 100000 is a typo, not a plan.
MAX_SHARDS = 5000
DAY = 86_400.0


class ConfigError(Exception):
    """A config file that cannot be used; each problem is one line naming the file."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class DiscordConfig:
    """The ``[discord]`` table. The token itself is best kept in the environment."""

    token_env: str = "DISCORD_TOKEN"
    token: str | None = field(default=None, repr=False)
    answer_channels: list[int] = field(default_factory=list)
    admin_user_ids: list[int] = field(default_factory=list)
    admin_role_ids: list[int] = field(default_factory=list)
    admin_guild_ids: list[int] = field(default_factory=list)
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


# --- what each setting may be ----------------------------------------------------------------

Check = Callable[[Any], Any]
"""Returns the value to use, or raises ``Invalid`` whose text is "must …" (the setting's name
goes before it)."""


class Invalid(ValueError):
    """A value a check refuses; the text says what the setting must be."""


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def whole(low: int, high: int) -> Check:
    def check(value: Any) -> int:
        if not is_int(value) or not low <= value <= high:
            raise Invalid(f"must be a whole number from {low} to {high:,}")
        return value

    return check


def seconds(high: float) -> Check:
    def check(value: Any) -> float:
        number = float(value) if is_int(value) or isinstance(value, float) else math.nan
        if not math.isfinite(number) or not 0 <= number <= high:
            raise Invalid(f"must be a number of seconds from 0 to {high:,.0f}")
        return number

    return check


def text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid("must be a non-empty string in quotes")
    return value


def env_name(value: Any) -> str:
    if not isinstance(value, str) or not value or "=" in value or "\0" in value:
        raise Invalid('must name an environment variable, e.g. "DISCORD_TOKEN"')
    return value


def snowflake(value: Any) -> int:
    if not is_int(value) or not 0 < value <= MAX_ID:
        raise Invalid("must be an id (a number, no quotes), e.g. 123456789012345678")
    return value


def ids(value: Any) -> list[int]:
    if not isinstance(value, list) or not all(is_int(i) and 0 < i <= MAX_ID for i in value):
        raise Invalid("must be a list of ids (numbers, no quotes), e.g. [123456789012345678]")
    return list(value)


def shard_list(value: Any) -> list[int]:
    if not isinstance(value, list) or not value or not all(is_int(i) and i >= 0 for i in value):
        raise Invalid("must be a list of shard numbers, e.g. [0, 1]")
    return list(value)


BRIEFING: dict[str, Check] = {"sources": text, "db": text, "top": whole(1, 25)}
DISCORD: dict[str, Check] = {
    "token_env": env_name,
    "token": text,
    "answer_channels": ids,
    "admin_user_ids": ids,
    "admin_role_ids": ids,
    "admin_guild_ids": ids,
    "dev_guild_ids": ids,
    "cooldown_rate": whole(0, 1000),
    "cooldown_per": seconds(DAY),
    "excerpts": whole(1, 10),
    "button_timeout": seconds(7 * DAY),
    "alert_channel": snowflake,
    "shard_count": whole(0, MAX_SHARDS),
    "shard_ids": shard_list,
}
TABLES: dict[str, dict[str, Check]] = {"briefing": BRIEFING, "discord": DISCORD}


# --- reading the file ------------------------------------------------------------------------


def read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"config file not found: {path}"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError([f"cannot read config file {path}: {error}"]) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([f"invalid TOML in {path}: {error}"]) from None


def checked_tables(data: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Each known table's values after their checks, and one line per problem found."""
    problems: list[str] = []
    values: dict[str, dict[str, Any]] = {name: {} for name in TABLES}
    for name, table in data.items():
        if name not in TABLES:
            where = "table" if isinstance(table, dict) else "setting outside any table"
            problems.append(f"unknown {where} {name!r} (known tables: [briefing], [discord])")
        elif not isinstance(table, dict):
            problems.append(f"{name} must be a table: [{name}]")
        else:
            for key, value in table.items():
                check = TABLES[name].get(key)
                if check is None:
                    problems.append(f"unknown setting {name}.{key}")
                    continue
                try:
                    values[name][key] = check(value)
                except Invalid as error:
                    problems.append(f"{name}.{key} {error}")
    problems += shard_problems(values["discord"])
    return values, problems


def shard_problems(discord: dict[str, Any]) -> list[str]:
    count, shard_ids = discord.get("shard_count"), discord.get("shard_ids")
    if shard_ids is None:
        return []
    if not count:
        return ["discord.shard_ids needs discord.shard_count (the total of shards)"]
    if any(i >= count for i in shard_ids):
        return [f"discord.shard_ids must be below discord.shard_count ({count})"]
    return []


def apply_file(config: Config, path: Path) -> None:
    """Apply the settings in ``path``; every problem in it at once, or nothing."""
    values, problems = checked_tables(read_toml(path))
    if problems:
        raise ConfigError([f"{path}: {problem}" for problem in problems])
    base = path.parent
    core = values["briefing"]
    if "sources" in core:
        config.sources = base / core["sources"]
    if "db" in core:
        config.db = base / core["db"]
    config.top = core.get("top", config.top)
    for key, value in values["discord"].items():
        setattr(config.discord, key, value)
