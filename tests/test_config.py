"""The config file is checked completely when it is read: one line per problem, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.config import ConfigError, load_config


def problems(tmp_path: Path, body: str) -> list[str]:
    path = tmp_path / "bot.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert all(line.startswith(f"{path}: ") for line in caught.value.problems)
    return [line.removeprefix(f"{path}: ") for line in caught.value.problems]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("cooldown_per = nan", "discord.cooldown_per must be a number of seconds from 0 to 86,400"),
        ("cooldown_per = inf", "discord.cooldown_per must be a number of seconds from 0 to 86,400"),
        ("button_timeout = -inf", "discord.button_timeout must be a number of seconds"),
        ("cooldown_per = -1", "discord.cooldown_per must be a number of seconds"),
        ('cooldown_per = "30"', "discord.cooldown_per must be a number of seconds"),
        ("cooldown_rate = true", "discord.cooldown_rate must be a whole number from 0 to 1,000"),
        ("excerpts = 11", "discord.excerpts must be a whole number from 1 to 10"),
        ("shard_count = 100000", "discord.shard_count must be a whole number from 0 to 5,000"),
        ("token = 123", "discord.token must be a non-empty string in quotes"),
        ("token_env = 123", "discord.token_env must name an environment variable"),
        ('admin_user_ids = ["123"]', "discord.admin_user_ids must be a list of ids"),
        ("answer_channels = [0]", "discord.answer_channels must be a list of ids"),
        ("alert_channel = 1.5", "discord.alert_channel must be an id"),
        ("shard_ids = [0]", "discord.shard_ids needs discord.shard_count (the total of shards)"),
        ("shard_count = 2\nshard_ids = [2]", "discord.shard_ids must be below"),
        ("colour = 'red'", "unknown setting discord.colour"),
    ],
)
def test_each_bad_discord_setting_is_named(tmp_path: Path, line: str, problem: str) -> None:
    (found,) = problems(tmp_path, f"[discord]\n{line}\n")
    assert found.startswith(problem), found


def test_misspelt_tables_and_keys_outside_tables_are_problems(tmp_path: Path) -> None:
    body = 'stray = 1\n[briefing]\ntop = 0\nsorces = "x"\n[dicord]\nadmin_user_ids = [1]\n'
    assert problems(tmp_path, body) == [
        "unknown setting outside any table 'stray' (known tables: [briefing], [discord])",
        "briefing.top must be a whole number from 1 to 25",
        "unknown setting briefing.sorces",
        "unknown table 'dicord' (known tables: [briefing], [discord])",
    ]


def test_good_values_are_read(tmp_path: Path) -> None:
    path = tmp_path / "bot.toml"
    path.write_text(
        '[briefing]\ntop = 2\ndb = "i.db"\n[discord]\ncooldown_per = 5\nshard_count = 2\n'
        'shard_ids = [1]\ntoken = "abc"\nadmin_user_ids = [123456789012345678]\n',
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.top == 2 and config.db == tmp_path / "i.db"
    assert config.discord.cooldown_per == 5.0 and config.discord.shard_ids == [1]
    assert config.discord.admin_user_ids == [123456789012345678]


@pytest.mark.parametrize("command", [["ask", "HALO"], ["index"], ["sources"], ["run"]])
def test_every_command_exits_2_with_one_line_per_problem(tmp_path: Path, command) -> None:
    path = tmp_path / "bot.toml"
    path.write_text("[discord]\ntoken = 123\ncooldown_per = nan\n", encoding="utf-8")
    result = CliRunner().invoke(main, [*command, "--config", str(path)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {path}: discord.token must be a non-empty string in quotes",
        f"error: {path}: discord.cooldown_per must be a number of seconds from 0 to 86,400",
    ]
    assert "Traceback" not in result.output


def test_a_missing_or_broken_file_is_a_bad_configuration_too(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["ask", "--config", str(tmp_path / "nope.toml"), "x"])
    assert result.exit_code == 2 and "config file not found" in result.stderr
    (tmp_path / "bad.toml").write_text("[discord\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["index", "--config", str(tmp_path / "bad.toml")])
    assert result.exit_code == 2 and result.stderr.startswith("error: invalid TOML in")
