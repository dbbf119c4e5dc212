import contextlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.engine.search.abstain import REASONS


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def paths(tmp_path: Path, sources: Path) -> list[str]:
    return ["--sources", str(sources), "--db", str(tmp_path / "briefing.db")]


def test_ask_builds_the_index_first_and_cites(tmp_path: Path, sources: Path) -> None:
    result = run("ask", *paths(tmp_path, sources), "How many skydives did Tom Cruise do?")
    assert result.exit_code == 0, result.output
    assert "500 skydives" in result.stdout
    assert "001_a4b0d972454bdd52.txt, paragraph 2" in result.stdout
    assert "no index yet" in result.stderr
    assert (tmp_path / "briefing.db").exists()


def test_ask_json_contract(tmp_path: Path, sources: Path) -> None:
    result = run("ask", *paths(tmp_path, sources), "--json", "--top", "2", "HALO jumps")
    data = json.loads(result.stdout)
    assert set(data) == {"question", "answered", "note", "excerpts", "abstained"}
    assert data["note"] is None
    assert data["question"] == "HALO jumps" and data["answered"] is True
    assert data["abstained"] is None
    assert 1 <= len(data["excerpts"]) <= 2
    excerpt = data["excerpts"][0]
    assert set(excerpt) == {"text", "source", "title", "url", "paragraph", "score", "highlights"}
    assert isinstance(excerpt["paragraph"], int) and isinstance(excerpt["score"], float)
    for start, end in excerpt["highlights"]:
        assert excerpt["text"][start:end].lower() in ("halo", "jumps", "jump", "jumping")


def test_ask_json_says_why_it_abstained(tmp_path: Path, sources: Path) -> None:
    result = run("ask", *paths(tmp_path, sources), "--json", "What is the capital of France?")
    data = json.loads(result.stdout)
    assert data["answered"] is False and data["excerpts"] == []
    assert set(data["abstained"]) == {"reason", "score", "detail"}
    assert data["abstained"]["reason"] in REASONS
    result = run("ask", *paths(tmp_path, sources), "--json", "the of and")
    assert json.loads(result.stdout)["abstained"]["reason"] == "no_words"


def test_ask_reads_questions_from_stdin_in_order(tmp_path: Path, sources: Path) -> None:
    questions = "who is esai moralez\nWhat is the capital of France?\n\nHALO\n"
    result = run("ask", *paths(tmp_path, sources), "--json", input=questions)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["question"] for d in lines] == [
        "who is esai moralez",
        "What is the capital of France?",
        "HALO",
    ]
    assert [d["answered"] for d in lines] == [True, False, True]
    assert lines[1]["excerpts"] == []


def test_not_found_is_a_friendly_sentence(tmp_path: Path, sources: Path) -> None:
    result = run("ask", *paths(tmp_path, sources), "Who directed The Godfather?")
    assert result.exit_code == 0
    assert "couldn't find that in the articles" in result.stdout


def test_ask_warns_when_sources_changed(tmp_path: Path, sources: Path) -> None:
    run("index", *paths(tmp_path, sources))
    (sources / "new.txt").write_text("Brand new article.")
    result = run("ask", *paths(tmp_path, sources), "HALO")
    assert result.exit_code == 0
    assert "briefing index" in result.stderr and "new.txt" in result.stderr


def test_index_summary_and_json(tmp_path: Path, sources: Path) -> None:
    (sources / "junk.bin.txt").write_bytes(b"\x00\x01\x02")
    result = run("index", *paths(tmp_path, sources))
    assert result.exit_code == 0
    assert "3 articles" in result.stdout and "skipped junk.bin.txt: binary" in result.stdout
    result = run("index", *paths(tmp_path, sources), "--json")
    data = json.loads(result.stdout)
    assert data["unchanged"] == 3 and data["skipped"][0]["source"] == "junk.bin.txt"


def test_user_mistakes_are_one_line_errors(tmp_path: Path, sources: Path) -> None:
    result = run("index", "--sources", str(tmp_path / "missing"), "--db", str(tmp_path / "x.db"))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"error: sources folder not found: {tmp_path / 'missing'} (run briefing from the folder "
        "that holds it, or name it with --sources DIR or in a --config FILE)"
    ]
    bad_db = tmp_path / "bad.db"
    bad_db.write_text("not sqlite")
    result = run("ask", "--sources", str(tmp_path / "missing"), "--db", str(bad_db), "HALO")
    assert result.exit_code == 1 and "sources folder not found" in result.output
    assert "Traceback" not in result.output
    result = run("ask", "--config", str(tmp_path / "nope.toml"), "HALO")
    assert result.exit_code == 2 and "config file not found" in result.output


@pytest.mark.parametrize(
    "command", [["ask", "who directed it"], ["sources"], ["films"], ["film", "Top Gun"], ["chat"]]
)
def test_a_db_that_is_not_an_index_is_never_touched(
    tmp_path: Path, sources: Path, command: list[str]
) -> None:
    db = tmp_path / "mydata.db"
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("INSERT INTO notes VALUES ('my own data')")
        conn.commit()
    before = db.read_bytes()
    result = run(*command, "--sources", str(sources), "--db", str(db))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {db} is another program's SQLite database (tables: notes), not a Mission "
        "Briefing index: it is left as it is (move it away, or use another --db, to build an "
        "index there)"
    ]
    assert db.read_bytes() == before


def test_index_full_rebuilds_from_nothing(tmp_path: Path, sources: Path) -> None:
    assert run("index", *paths(tmp_path, sources)).exit_code == 0
    result = run("index", *paths(tmp_path, sources), "--json", "--full")
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)["added"]) == 3  # every file read again


def test_an_unwritable_db_is_one_line(tmp_path: Path, sources: Path) -> None:
    result = run("ask", "--sources", str(sources), "--db", "/proc/x.db", "HALO")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: could not write the index /proc/x.db: No such file or directory (/proc/x.db.lock)"
    ]
    result = run("index", "--sources", str(sources), "--db", "/proc/x.db")
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1


def test_config_file_paths_are_relative_to_it(tmp_path: Path, sources: Path) -> None:
    config = tmp_path / "briefing.toml"
    config.write_text('[briefing]\nsources = "seeds"\ndb = "data/b.db"\ntop = 1\n')
    result = run("ask", "--config", str(config), "--json", "Tom Cruise")
    assert len(json.loads(result.stdout)["excerpts"]) == 1
    assert (tmp_path / "data" / "b.db").exists()


def test_chat_answers_until_an_empty_line(tmp_path: Path, sources: Path) -> None:
    result = run("chat", *paths(tmp_path, sources), input="who is esai moralez\n\n")
    assert result.exit_code == 0
    assert "Esai Morales" in result.output


def test_python_dash_m_runs_the_cli_without_importing_discord(
    tmp_path: Path, sources: Path
) -> None:
    code = (
        "import sys, runpy; sys.argv = ['briefing'] + sys.argv[1:];"
        "\ntry: runpy.run_module('bot', run_name='__main__')"
        "\nexcept SystemExit: pass"
        "\nprint('discord' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, "ask", *paths(tmp_path, sources), "HALO"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "HALO" in out and out.strip().endswith("False")


# --- issue 17: the command line as a newcomer meets it ------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def test_from_another_folder_the_error_names_sources_and_config(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no seeds/ here: the README's command run from elsewhere
    result = run("ask", "How many skydives did Tom Cruise do?")
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()  # one line, not "building …" first
    assert line.startswith("error: sources folder not found: seeds")
    assert "--sources" in line and "--config" in line
    assert not (tmp_path / "index").exists()


def test_readme_try_it_names_a_virtual_environment_and_the_python_version() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    try_it = readme.split("## Try it", 1)[1].split("\n## ", 1)[0]
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    minimum = pyproject.split('requires-python = ">=', 1)[1].split('"', 1)[0]
    assert "python3 -m venv .venv" in try_it and ". .venv/bin/activate" in try_it
    assert f"Python {minimum}" in try_it
    assert "--sources" in try_it and "--config" in try_it


def test_a_question_with_no_words_gets_a_sentence_a_person_would_say(
    tmp_path: Path, sources: Path
) -> None:
    result = run("ask", *paths(tmp_path, sources), "lol")
    assert result.exit_code == 0
    assert result.stdout.startswith("I need a word or two to look up: ask about")
    assert "no words to look for" not in result.stdout


def test_batch_ask_shows_each_question_above_its_answer(tmp_path: Path, sources: Path) -> None:
    questions = "who is esai moralez\nWhat is the capital of France?\nHALO jumps\n"
    result = run("ask", *paths(tmp_path, sources), input=questions)
    assert result.exit_code == 0
    answers = result.stdout.split("─" * 40 + "\n")
    assert len(answers) == 3
    assert answers[0].startswith("? who is esai moralez\n\n“Esai Morales")
    assert answers[1].startswith("? What is the capital of France?\n\nI couldn't find that")
    assert answers[2].startswith("? HALO jumps\n\n“")
    assert "Reading questions" not in result.stderr  # stdin is not a terminal here


def test_sources_on_an_empty_index_says_so(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("sources", *paths(tmp_path, empty))
    assert result.exit_code == 0
    assert result.stdout.startswith("The index holds no articles: add .txt or .md files to ")
    assert "briefing index" in result.stdout


def test_a_db_in_a_folder_that_does_not_exist_is_refused(tmp_path: Path, sources: Path) -> None:
    db = tmp_path / "nope" / "x.db"
    result = run("ask", "--sources", str(sources), "--db", str(db), "HALO")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: --db {db}: there is no folder {db.parent}/ (create it first, or check the path)"
    ]
    assert not db.parent.exists()


def test_ask_waits_for_a_first_build_already_running(
    tmp_path: Path, sources: Path, seed_db: Path
) -> None:
    from bot.engine.build.builder import build_lock

    db = tmp_path / "briefing.db"
    with build_lock(db):  # another process's first build: no index yet, the lock held
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "ask", "--sources", str(sources), "--db", str(db)]
            + ["--json", "HALO"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert process.stderr is not None
        assert "no index yet" in process.stderr.readline()
        assert "running; waiting for it" in process.stderr.readline()
        db.write_bytes(seed_db.read_bytes())  # the other build's result, renamed into place
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert json.loads(out)["answered"] is True


def test_json_carries_the_disagreement_note(tmp_path: Path, sources: Path) -> None:
    question = "How many times did Cruise jump the motorbike off the ramp?"
    text = run("ask", *paths(tmp_path, sources), question).stdout
    data = json.loads(run("ask", *paths(tmp_path, sources), "--json", question).stdout)
    assert data["note"] == "The articles give different figures; each is shown with its source."
    assert f"({data['note']})" in text
    unanswered = json.loads(run("ask", *paths(tmp_path, sources), "--json", "lol").stdout)
    assert unanswered["note"].startswith("I need a word or two")


def test_film_json_keeps_what_was_typed_and_the_not_found_note(
    tmp_path: Path, sources: Path
) -> None:
    data = json.loads(run("film", *paths(tmp_path, sources), "--json", "fallout").stdout)
    assert data["question"] == "fallout" and data["film"] == "Mission: Impossible – Fallout"
    assert data["answered"] is True and data["note"] is None
    data = json.loads(run("film", *paths(tmp_path, sources), "--json", "The Godfather").stdout)
    assert data["question"] == "The Godfather" and data["film"] is None
    assert data["answered"] is False
    assert data["note"] == "No film called 'The Godfather' in the articles."


def test_every_error_has_one_style(tmp_path: Path, sources: Path, monkeypatch) -> None:
    result = run("ask", *paths(tmp_path, sources), "--top", "x", "HALO")  # click's own check
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "error: Invalid value for '--top': must be a whole number from 1 to 25, not 'x'"
    )
    result = run("nope")
    assert result.stderr.splitlines()[-1] == "error: No such command 'nope'."
    config = tmp_path / "c.toml"
    config.write_text("[briefing]\ntop = 1.5\n")
    result = run("ask", "--config", str(config), "HALO")  # the config file's check
    assert result.stderr.startswith("error: ") and " a int" not in result.stderr
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    result = run("run", *paths(tmp_path, sources))  # the bot's start-up
    assert result.exit_code == 2
    assert result.stderr.startswith("error: no Discord bot token")
    assert "Error:" not in result.stderr


def test_ci_starts_from_a_fresh_environment_and_filters_discords_audioop_warning() -> None:
    assert "python3 -m venv --clear .venv" in (ROOT / ".ci" / "run").read_text()
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    ignore = pyproject.split("filterwarnings = [", 1)[1].split('"')[1]
    checked = subprocess.run(  # the filter, applied last, must be what silences the warning
        [sys.executable, "-W", "error::DeprecationWarning", "-W", ignore, "-c", "import discord"],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr


FILMS_TOML_MISTAKES = """
[[film]]
film = "Top Gun"
bogus = 1

[[film]]
film = "A Film Nobody Mentions"
aliases = ["Nobody"]
"""


@pytest.mark.parametrize("films_toml", [FILMS_TOML_MISTAKES, "[[film]\n"])
def test_films_toml_warnings_are_one_list_in_text_and_json(
    tmp_path: Path, sources: Path, films_toml: str
) -> None:
    (sources / "films.toml").write_text(films_toml, encoding="utf-8")
    result = run("index", *paths(tmp_path, sources), "--json")
    warnings = json.loads(result.stdout)["warnings"]
    assert warnings and all(w.startswith("films.toml") for w in warnings)
    if films_toml == FILMS_TOML_MISTAKES:
        assert len(warnings) == 2 and "'bogus'" in warnings[0]
        assert "no film by that name" in warnings[1]
    else:
        assert warnings == [w for w in warnings if "not valid TOML" in w]
    result = run("index", *paths(tmp_path, sources))
    assert [line for line in result.stdout.splitlines() if "warning:" in line] == [
        f"  warning: {w}" for w in warnings
    ]
    assert result.stderr == ""  # nothing of it in the log only


def test_a_session_says_once_when_a_rebuilt_index_cannot_be_used(
    tmp_path: Path, seed_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`chat` and `ask` from standard input follow rebuilds; a replacement that is not a usable
    index gets one note, and the last good index keeps answering."""
    import os

    from bot.cli import Session
    from bot.engine.search.follower import IndexFollower

    db = tmp_path / "briefing.db"
    db.write_bytes(seed_db.read_bytes())
    session = Session(IndexFollower(db))
    question = "How many skydives did Tom Cruise do?"
    assert session.searcher().ask(question).answered
    junk = tmp_path / "junk"
    junk.write_bytes(b"junk" * 4096)
    os.replace(junk, db)  # what a broken rebuild would leave
    for _ in range(3):
        assert session.searcher().ask(question).answered
    notes = capsys.readouterr().err.splitlines()
    assert len(notes) == 1 and "can't use" in notes[0] and "last good index" in notes[0]
    db.write_bytes(seed_db.read_bytes())  # a good index again: answered from it, no note
    assert session.searcher().ask(question).answered
    assert capsys.readouterr().err == "" and session.follower.problem is None
