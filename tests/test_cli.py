import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from bot.cli import main


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def paths(tmp_path: Path, sources: Path) -> list[str]:
    return ["--sources", str(sources), "--db", str(tmp_path / "index" / "briefing.db")]


def test_ask_builds_the_index_first_and_cites(tmp_path: Path, sources: Path) -> None:
    result = run("ask", *paths(tmp_path, sources), "How many skydives did Tom Cruise do?")
    assert result.exit_code == 0, result.output
    assert "500 skydives" in result.stdout
    assert "001_a4b0d972454bdd52.txt, paragraph 2" in result.stdout
    assert "no index yet" in result.stderr
    assert (tmp_path / "index" / "briefing.db").exists()


def test_ask_json_contract(tmp_path: Path, sources: Path) -> None:
    result = run("ask", *paths(tmp_path, sources), "--json", "--top", "2", "HALO jumps")
    data = json.loads(result.stdout)
    assert set(data) == {"question", "answered", "excerpts"}
    assert data["question"] == "HALO jumps" and data["answered"] is True
    assert 1 <= len(data["excerpts"]) <= 2
    excerpt = data["excerpts"][0]
    assert set(excerpt) == {"text", "source", "title", "url", "paragraph", "score", "highlights"}
    assert isinstance(excerpt["paragraph"], int) and isinstance(excerpt["score"], float)
    for start, end in excerpt["highlights"]:
        assert excerpt["text"][start:end].lower() in ("halo", "jumps", "jump", "jumping")


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
        f"Error: indexing failed: sources folder not found: {tmp_path / 'missing'}"
    ]
    bad_db = tmp_path / "bad.db"
    bad_db.write_text("not sqlite")
    result = run("ask", "--sources", str(tmp_path / "missing"), "--db", str(bad_db), "HALO")
    assert result.exit_code == 1 and "sources folder not found" in result.output
    assert "Traceback" not in result.output
    result = run("ask", "--config", str(tmp_path / "nope.toml"), "HALO")
    assert result.exit_code == 2 and "config file not found" in result.output


def test_ask_rebuilds_an_index_that_is_not_usable(tmp_path: Path, sources: Path) -> None:
    db = tmp_path / "index" / "briefing.db"
    db.parent.mkdir()
    db.write_bytes(b"garbage" * 1000)
    result = run("ask", *paths(tmp_path, sources), "HALO")
    assert result.exit_code == 0
    assert "HALO" in result.stdout and "building" in result.stderr


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
