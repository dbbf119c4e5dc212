"""The ``briefing`` command: build the index and ask it questions from a terminal.

Every command takes ``--config``, ``--sources`` and ``--db``; with none of them it uses
``seeds/`` and ``index/briefing.db`` in the working directory. Commands that print data take
``--json``. Discord is imported only by ``briefing run``, so the others start fast.
"""

from __future__ import annotations

import contextlib
import functools
import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from bot.config import BRIEFING, Check, Config, ConfigError, Invalid, load_config
from bot.engine.build.builder import (
    BuildBusy,
    BuildError,
    BuildSummary,
    build_index,
    check_can_build,
)
from bot.engine.build.health import index_problem, stale_sources
from bot.engine.render import answer_to_dict, film_to_dict, render_text
from bot.engine.search import MAX_QUESTION_CHARS, IndexUnavailable, Searcher
from bot.engine.search.follower import IndexFollower
from bot.progress import BuildProgress

T = TypeVar("T")


class BadConfig(click.ClickException):
    """A config file that can't be used: one ``error:`` line per problem, exit 2 for every
    command (the code the README and the sample systemd unit treat as "don't retry")."""

    exit_code = 2

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def show_error(error: click.ClickException) -> None:
    """``error: …`` on stderr, one line per line of the message: the style of every error the
    command prints, click's own (a bad option, a missing argument) and ours alike."""
    if isinstance(error, click.UsageError) and error.ctx is not None:
        ctx = error.ctx
        click.echo(ctx.get_usage(), err=True)
        click.echo(f"Try '{ctx.command_path} --help' for help.\n", err=True)
    for line in error.format_message().splitlines() or [""]:
        click.echo(f"error: {line}", err=True)


class Briefing(click.Group):
    """The ``briefing`` group: click's behaviour, with errors shown by ``show_error``."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        code = None
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.ClickException as error:
            if not standalone_mode:
                raise
            show_error(error)
            sys.exit(error.exit_code)
        except click.Abort:
            if not standalone_mode:
                raise
            click.echo("Stopped.", err=True)
            sys.exit(1)
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)


class WholeNumber(click.ParamType):
    """A whole number held to a config setting's check (``bot.config``): the same range, refused
    in the same words."""

    name = "integer"

    def __init__(self, check: Check) -> None:
        self.check = check

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None  # not a number: the check says what it must be
        try:
            return self.check(number)
        except Invalid as error:
            self.fail(f"{error}, not {value!r}")


TOP = WholeNumber(BRIEFING["top"])


class BuildRunning(click.ClickException):
    """Another process holds the index's build lock (``briefing ask`` waits for it)."""


def common_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--config/--sources/--db on every command, resolved into one ``Config``."""

    @click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="TOML config file (see config.example.toml).",
    )
    @click.option(
        "--sources",
        type=click.Path(file_okay=False, path_type=Path),
        help="Folder of source articles [default: seeds].",
    )
    @click.option(
        "--db",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Index database [default: index/briefing.db].",
    )
    @functools.wraps(command)
    def wrapper(config_path: Path | None, sources: Path | None, db: Path | None, **kwargs: Any):
        try:
            config = load_config(config_path, sources=sources, db=db)
        except ConfigError as error:
            raise BadConfig(error.problems) from None
        if db is not None and not (db.parent.is_dir() or db.is_file()):
            # A mistyped --db would otherwise become a new folder holding a new index.
            raise click.ClickException(
                f"--db {db}: there is no folder {db.parent}/ (create it first, or check the path)"
            )
        return command(config=config, **kwargs)

    return wrapper


@click.group(cls=Briefing, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mission-briefing")
def main() -> None:
    """Mission Briefing: answers questions about news articles with verbatim, cited quotes."""


# --- index -----------------------------------------------------------------------------------


@main.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--allow-empty", is_flag=True, help="Allow replacing an index with an empty one.")
@click.option("--full", is_flag=True, help="Rebuild from nothing, reading every file again.")
def index(config: Config, as_json: bool, allow_empty: bool, full: bool) -> None:
    """Build or update the index from the sources folder."""
    summary = run_build(config, allow_empty=allow_empty, quiet=as_json, full=full)
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False))
    else:
        click.echo(describe_build(summary))


def run_build(
    config: Config,
    *,
    allow_empty: bool = False,
    quiet: bool = False,
    full: bool = False,
    progress_every: float = 5.0,
) -> BuildSummary:
    """Build, showing progress on stderr (a line redrawn on a terminal, unless ``quiet``; else a
    line every ``progress_every`` seconds); a failure is one line, exit 1."""
    require_sources(config)
    terminal = not quiet and sys.stderr.isatty()
    try:
        with BuildProgress(sys.stderr, terminal=terminal, every=progress_every) as progress:
            return build_index(
                config.sources, config.db, progress=progress, allow_empty=allow_empty, full=full
            )
    except BuildBusy as error:
        raise BuildRunning(f"indexing failed: {error}") from None
    except BuildError as error:
        raise click.ClickException(f"indexing failed: {error}") from None


def require_sources(config: Config) -> None:
    """A missing sources folder is most often briefing run from another folder: say how to
    point it at the articles."""
    if not config.sources.is_dir():
        raise click.ClickException(
            f"sources folder not found: {config.sources} (run briefing from the folder that "
            "holds it, or name it with --sources DIR or in a --config FILE)"
        )


def describe_build(summary: BuildSummary) -> str:
    """The human summary of a build, one fact per line."""
    lines = [
        f"Indexed {summary.articles} articles, {summary.passages} passages "
        f"in {summary.seconds:.2f} s.",
        f"  added {len(summary.added)}, changed {len(summary.changed)}, "
        f"removed {len(summary.removed)}, unchanged {summary.unchanged}, "
        f"skipped {len(summary.skipped)}",
    ]
    lines += [f"  skipped {name}: {reason}" for name, reason in summary.skipped]
    lines += [f"  warning: {warning}" for warning in summary.warnings]
    return "\n".join(lines)


# --- ask and chat ----------------------------------------------------------------------------


def open_searcher(config: Config) -> Searcher:
    """The index, built first if there is no usable one; warn on stderr if the sources moved on."""
    return open_index(config, Searcher)


def follow_index(config: Config) -> Session:
    """``open_searcher`` for a session of questions, which follows rebuilds."""
    return Session(open_index(config, IndexFollower))


class Session:
    """A session's searcher: the latest usable index (``IndexFollower``), and one note on stderr
    when a rebuilt file can't be used and the last good one keeps answering."""

    def __init__(self, follower: IndexFollower) -> None:
        self.follower = follower
        self.told: str | None = None

    def searcher(self) -> Searcher:
        searcher = self.follower.latest()
        problem = self.follower.problem
        if problem is not None and problem != self.told:
            click.echo(f"Note: {problem}; answering from the last good index.", err=True)
        self.told = problem
        return searcher


def open_index(config: Config, opener: Callable[[Path], T]) -> T:
    """``opener(config.db)``, the index built first if there is none usable, with a note when
    the sources changed since it was built."""
    if index_problem(config.db):
        ensure_index(config)
    elif config.sources.is_dir():
        stale = stale_sources(config.sources, config.db)
        if stale:
            click.echo(
                f"Note: {len(stale)} source file(s) changed since the index was built "
                f"(e.g. {stale[0]}); run `briefing index` to update it.",
                err=True,
            )
    try:
        return opener(config.db)
    except IndexUnavailable as error:
        raise click.ClickException(str(error)) from None


def ensure_index(config: Config, poll: float = 0.2) -> None:
    """Build the missing or unusable index; if another process is building it already (the
    bot, a ``briefing index``), say so and wait for that build rather than fail."""
    require_sources(config)
    try:
        check_can_build(config.db)  # not ours, or can't be written: one line, no "building"
    except BuildError as error:
        raise click.ClickException(str(error)) from None
    waiting = False
    while problem := index_problem(config.db):
        if not waiting:
            click.echo(f"{problem}: building {config.db} from {config.sources}/ …", err=True)
        try:
            run_build(config, full=True)  # from nothing: missing, damaged or another version's
            return
        except BuildRunning:
            if not waiting:
                click.echo("Another build of this index is running; waiting for it …", err=True)
            waiting = True
            time.sleep(poll)


@main.command()
@common_options
@click.argument("question", required=False)
@click.option("--top", type=TOP, default=None, help="Excerpts to show [3].")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per question.")
def ask(config: Config, question: str | None, top: int | None, as_json: bool) -> None:
    """Answer QUESTION, or each line of standard input when QUESTION is left out."""
    if question is not None:
        answer = open_searcher(config).ask(question, top=top or config.top)
        click.echo(
            json.dumps(answer_to_dict(answer), ensure_ascii=False)
            if as_json
            else render_text(answer, mark=bold)
        )
        return
    session = follow_index(config)
    if sys.stdin.isatty():
        click.echo(STDIN_HINT, err=True)
    for number, text in enumerate(read_lines(sys.stdin)):
        answer = session.searcher().ask(text, top=top or config.top)
        if as_json:
            click.echo(json.dumps(answer_to_dict(answer), ensure_ascii=False))
        else:
            click.echo(batch_answer(text, render_text(answer, mark=bold), first=number == 0))


STDIN_HINT = (
    "Reading questions from standard input, one a line; Ctrl-D ends. "
    '(One question: briefing ask "…"; one after another: briefing chat.)'
)
ANSWER_RULE = "─" * 40


def batch_answer(question: str, answer: str, *, first: bool) -> str:
    """One answer of a batch under the question it answers, a rule between answers: excerpts
    are separated by blank lines, so blank lines alone can't tell one answer from the next."""
    head = "" if first else f"{ANSWER_RULE}\n"
    return f"{head}{bold('? ' + question)}\n\n{answer}\n"


def read_lines(stream: Iterable[str]) -> Iterator[str]:
    for line in stream:
        line = line.rstrip("\n")
        if line.strip():
            yield line[: MAX_QUESTION_CHARS * 5]


def bold(text: str) -> str:
    return click.style(text, bold=True)


@main.command()
@common_options
def chat(config: Config) -> None:
    """Ask questions one after another, as you would in a Discord channel."""
    session = follow_index(config)
    if sys.stdin.isatty():
        enable_line_editing()
    click.echo("Ask about the articles. An empty line or Ctrl-D quits.")
    while True:
        try:
            question = input("? ")
        except (EOFError, KeyboardInterrupt):
            click.echo()
            break
        if not question.strip() or question.strip().lower() in ("quit", "exit"):
            break
        click.echo(render_text(session.searcher().ask(question, top=config.top), mark=bold) + "\n")


def enable_line_editing() -> None:
    """Arrow keys, history (this session's questions) and Ctrl-R in ``input()``: importing
    the standard library's readline is what turns them on, where Python was built with it."""
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401


@main.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def films(config: Config, as_json: bool) -> None:
    """List the films the articles talk about."""
    found = open_searcher(config).films()
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False))
        return
    if not found:
        click.echo("The articles don't name any film.")
    for film in found:
        year = f" ({film['year']})" if film["year"] else ""
        aliases = f"  also: {', '.join(film['aliases'])}" if film["aliases"] else ""
        count = film["articles"]
        click.echo(f"{film['title']}{year}: {count} article{'s' * (count != 1)}{aliases}")


@main.command()
@common_options
@click.argument("title")
@click.option("--top", type=TOP, default=None, help="Excerpts to show [3].")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
def film(config: Config, title: str, top: int | None, as_json: bool) -> None:
    """What the articles say about the film TITLE (any of its names; typos are fine)."""
    answer = open_searcher(config).film(title, top=top or config.top)
    if as_json:
        click.echo(json.dumps(film_to_dict(title, answer), ensure_ascii=False))
    elif answer.answered:
        click.echo(f"{answer.question}\n\n{render_text(answer, mark=bold)}")
    else:
        note = answer.note or f"The articles name {answer.question} but say nothing more about it."
        click.echo(f"{note} List the films with `briefing films`.")


@main.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def sources(config: Config, as_json: bool) -> None:
    """List the indexed articles."""
    articles = open_searcher(config).articles()
    if as_json:
        click.echo(json.dumps(articles, ensure_ascii=False))
        return
    if not articles:
        click.echo(
            f"The index holds no articles: add .txt or .md files to {config.sources}/ "
            "and run `briefing index`."
        )
    for article in articles:
        click.echo(f"{article['source']}  {article['passages']:>4} passages  {article['title']}")


# --- Discord --------------------------------------------------------------------------------


@main.command()
@common_options
@click.pass_context
def run(ctx: click.Context, config: Config) -> None:
    """Start the Discord bot. The token comes from $DISCORD_TOKEN (or the variable named by
    discord.token_env); see docs/discord.md."""
    from bot.discord_app.runner import run_bot  # imports discord.py, which no other command needs

    ctx.exit(run_bot(config))


if __name__ == "__main__":  # pragma: no cover
    main()
