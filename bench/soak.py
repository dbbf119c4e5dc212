"""Soak test: the real bot, through the Discord stand-in, under a steady stream of questions.

    python bench/soak.py [--seconds 60] [--rate 30] [--articles 6000] [--batch 1000] [--faults]
                         [--loop-watch MS] [--json PATH]

Starts the Discord stand-in (tests/e2e/standin.py, 127.0.0.1 only) and ``briefing run`` in its
own process over a sources folder of the seed articles plus ``--articles`` synthetic ones
(bench/make_corpus.py). For ``--seconds`` it then sends about ``--rate`` questions a second,
mixed: mentions in a server channel, DMs, answer-channel messages and ``/ask`` (some private),
drawn from the practice questions, words of the synthetic articles, and junk (mentions,
Markdown, zero-width and right-to-left characters, emoji, up to 4,000 characters). Meanwhile an
admin runs ``/reindex`` again and again, each time after changing ``--batch`` of the synthetic
articles, so every reindex has real work to do while the questions keep coming. ``--faults``
also drops the gateway (close 4000, a dead link) and fails a few REST calls with 503 on the way.

Then it checks, from the stand-in's records:

- every question got exactly one reply (with ``--faults``: or was lost by the gateway itself,
  which Discord does too, and then got none), every slash command within Discord's 3 seconds;
- no reply broke a Discord limit (the stand-in answers 400) or the mentions rule;
- the bot's memory (RSS from /proc, twice a second) stays flat: after a warm-up of two
  reindexes, the slope of the median RSS between one reindex and the next stays under 0.5 MB
  per reindex (start, after warm-up, peak, end, each reindex and the slope per minute are
  reported; ``BRIEFING_E2E_MEMORY=PATH=SECONDS`` in the environment adds the bot's memory by
  layer, see tests/e2e/launch_bot.py);
- with ``--loop-watch MS``: how often the bot's event loop was blocked longer than MS;

prints the figures (and ``--json`` writes them), and exits 1 if a check failed. Every loop is
bounded by the clock; the bot is stopped with SIGTERM and must exit 0.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from make_corpus import file_name, make_corpus, toggle_update  # noqa: E402
from memory import status_mb  # noqa: E402

from tests.e2e.conftest import default_discord_settings, make_sources, start_bot  # noqa: E402
from tests.e2e.standin import DiscordStandIn, InteractionRecord  # noqa: E402

KINDS = {"mention": 30, "dm": 20, "channel": 15, "ask": 35}
USERS = ["alice", "bob", "carol", "mallory"]
ADMIN = "dave"
JUNK = [
    "@everyone",
    "@here",
    "<@123456789012345678>",
    "<@&987654321098765432>",
    "<#111111111111111111>",
    "</ask:1>",
    "<t:1700000000:R>",
    "<id:customize>",
    "**",
    "__",
    "||",
    "`",
    "```py\n",
    "> ",
    "# ",
    "- ",
    "1. ",
    "[x](https://example.com)",
    "\\",
    "\n",
    "\u200b",
    "\u200d",
    "\u202e",
    "\u200f",
    "\u0301",
    "שָׁלוֹם",
    "🪂",
    "👨\u200d👩\u200d👧",
    "🇳🇴",
]
BUTTON_TIMEOUT = 60.0
MAX_PENDING = 400  # stop sending while this many questions wait for their reply
SLASH_DEADLINE = 3.0


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass
class Asked:
    kind: str
    at: float  # time.monotonic() when sent
    message: dict | None = None
    interaction: InteractionRecord | None = None
    during_reindex: bool = False


@dataclass
class Soak:
    args: argparse.Namespace
    standin: DiscordStandIn
    pid: int
    questions: list[str]
    rng: random.Random
    asked: list[Asked] = field(default_factory=list)
    reindexes: list[dict] = field(default_factory=list)
    rss: list[tuple[float, float]] = field(default_factory=list)  # (seconds, MB)
    faults: Counter = field(default_factory=Counter)
    reindexing: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)
    started: float = field(default_factory=time.monotonic)  # RSS and reindex times count from here

    # -- the stream of questions -------------------------------------------------------------
    def question(self) -> str:
        roll = self.rng.random()
        if roll < 0.55:
            return self.rng.choice(self.questions)
        if roll < 0.8:  # words from the synthetic articles
            return " ".join(self.rng.choices(self.questions[-1].split(), k=6)) + "?"
        pieces = self.rng.choices(JUNK + self.rng.choice(self.questions).split(), k=12)
        text = " ".join(pieces)
        if self.rng.random() < 0.1:  # at Discord's maximum message length
            text = (text * (4000 // len(text) + 1))[:3900]
        return text

    def pending(self) -> int:
        """Questions still waiting for their reply (among the recent ones)."""
        with self.standin._cond:
            replied = {
                (m.get("message_reference") or {}).get("message_id")
                for m in self.standin.messages.values()
            }
        recent = self.asked[-MAX_PENDING * 2 :]
        return sum(
            1
            for a in recent
            if (a.interaction is not None and not a.interaction.callbacks)
            or (a.message is not None and a.message["id"] not in replied)
        )

    def send_questions(self, until: float) -> None:
        bot_id = self.standin.bot_user["id"]
        kinds, weights = list(KINDS), list(KINDS.values())
        interval = 1.0 / self.args.rate
        next_at = time.monotonic()
        while not self.stop.is_set() and time.monotonic() < until:
            next_at += interval
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if len(self.asked) % 50 == 0 and self.pending() > MAX_PENDING:
                time.sleep(0.2)  # the bot is behind: don't bury it
                continue
            kind = self.rng.choices(kinds, weights)[0]
            user = self.rng.choice(USERS)
            text = self.question()
            asked = Asked(kind, time.monotonic(), during_reindex=self.reindexing.is_set())
            if kind == "ask":
                private = self.rng.random() < 0.2
                asked.interaction = self.standin.slash(
                    "ask", question=text[:6000] or "?", user=user, private=private
                )
            elif kind == "mention":
                content = f"<@{bot_id}> {text}"[:4000]
                asked.message = self.standin.send_message(content, author=user, mentions_bot=True)
            elif kind == "dm":
                asked.message = self.standin.send_message(text or "?", author=user, channel=None)
            else:
                asked.message = self.standin.send_message(
                    text.strip() or "?", author=user, channel="briefing"
                )
            self.asked.append(asked)

    # -- reindexing ------------------------------------------------------------------------------
    def rewrite_batch(self, sources: Path, cycle: int) -> None:
        """Change ``--batch`` synthetic articles: real work for the next reindex, same corpus
        (see ``toggle_update``): any growth is the bot's own, not the data's."""
        start = (cycle * self.args.batch) % max(1, self.args.articles - self.args.batch)
        toggle_update(sources / "synthetic", start, self.args.batch)

    def reindex_loop(self, sources: Path, until: float) -> None:
        cycle = 0
        while not self.stop.is_set() and time.monotonic() < until - 5:
            self.rewrite_batch(sources, cycle)
            started = time.monotonic()
            self.reindexing.set()
            rec = self.standin.slash("reindex", user=ADMIN)
            try:
                self.standin.wait_for(lambda rec=rec: rec.edits, 300, "the reindex")
            finally:
                self.reindexing.clear()
            embed = (rec.original or {}).get("embeds") or [{}]
            fields = {f["name"]: f["value"] for f in embed[0].get("fields") or []}
            changed = next((k for k in fields if k.startswith("Changed")), "Changed (?)")
            self.reindexes.append(
                {
                    "at": round(time.monotonic() - self.started, 1),
                    "seconds": round(time.monotonic() - started, 2),
                    "title": embed[0].get("title"),
                    "changed": changed,
                    "rss_after_mb": status_mb("VmRSS", self.pid),
                }
            )
            self.reindexes[-1].update(self.index_status())
            cycle += 1
            self.stop.wait(1.0)

    def index_status(self) -> dict:
        """Articles, passages and films in the index answering, from ``/status``."""
        rec = self.standin.slash("status", user=ADMIN)
        try:
            self.standin.wait_for(
                lambda: rec.callbacks and (rec.callbacks[0]["type"] != 5 or rec.edits), 30, "status"
            )
        except TimeoutError:
            return {}
        embed = ((rec.original or {}).get("embeds") or [{}])[0]
        found = re.findall(r"([\d,]+) (article|passage|film)s?\b", embed.get("description") or "")
        return {f"{word}s": int(count.replace(",", "")) for count, word in found}

    # -- faults (--faults) -----------------------------------------------------------------------
    def fault_loop(self, until: float) -> None:
        codes = [4000, None, 4000, 1001]
        n = 0
        while not self.stop.wait(self.rng.uniform(4, 8)) and time.monotonic() < until - 3:
            if n % 2 == 0:
                if any(s.live for s in self.standin.sessions):
                    self.standin.drop_gateway(codes[(n // 2) % len(codes)])
                    self.faults["gateway drops"] += 1
            else:
                self.standin.fail_requests(r"/channels/\d+/messages$", [503], method="POST")
                self.faults["REST 503s"] += 1
            n += 1

    def sample_memory(self) -> None:
        while not self.stop.wait(0.5):
            mb = status_mb("VmRSS", self.pid)
            if mb is not None:
                self.rss.append((time.monotonic() - self.started, mb))


# Memory is judged after a warm-up of this many reindexes (the first ones size the caches and
# the allocator's pools): from then on, the least-squares slope of the RSS measured after each
# reindex must stay under MAX_SLOPE_MB per reindex (or add up to less than MAX_GROWTH_MB over
# the run, for a short one, where a few MB of noise make a steep slope).
WARM_UP_REINDEXES = 2
MAX_SLOPE_MB = 0.5
MAX_GROWTH_MB = 4.0


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of y over x."""
    mean_x = statistics.fmean(x for x, _ in points)
    mean_y = statistics.fmean(y for _, y in points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else 0.0


def memory_figures(soak: Soak) -> dict:
    """RSS at start, after warm-up, peak and end; after each reindex; and the slope after
    warm-up, per reindex and per minute, with a verdict: flat, growing, or too short to say."""
    mb = soak.rss
    # After each reindex: the median of the samples until the next one ends (one sample just
    # after a swap catches two film indexes and the questions that queued meanwhile).
    ends = [r["at"] for r in soak.reindexes] + [float("inf")]
    after = []
    for i in range(len(soak.reindexes)):
        between = [y for t, y in mb if ends[i] <= t < ends[i + 1]]
        if between:
            after.append((i, statistics.median(between)))
    warm_points = after[WARM_UP_REINDEXES:]
    warm_since = soak.reindexes[WARM_UP_REINDEXES - 1]["at"] if len(warm_points) >= 3 else None
    figures: dict = {
        "start_mb": round(mb[0][1], 1) if mb else None,
        "warm_mb": None,
        "peak_mb": round(max(y for _, y in mb), 1) if mb else None,
        "end_mb": round(mb[-1][1], 1) if mb else None,
        "after_each_reindex_mb": [round(y, 1) for _, y in after],
        "slope_mb_per_reindex": None,
        "slope_mb_per_minute": None,
        "verdict": "too short to judge (fewer than 5 reindexes)",
    }
    if warm_since is None:
        return figures
    warm_samples = [(t, y) for t, y in mb if t >= warm_since]
    figures["warm_mb"] = round(warm_samples[0][1], 1) if warm_samples else None
    per_reindex = slope(warm_points)
    figures["slope_mb_per_reindex"] = round(per_reindex, 2)
    if len(warm_samples) >= 2:
        figures["slope_mb_per_minute"] = round(slope(warm_samples) * 60, 2)
    growth = per_reindex * (len(warm_points) - 1)
    flat = per_reindex < MAX_SLOPE_MB or growth < MAX_GROWTH_MB
    figures["verdict"] = "flat" if flat else "growing"
    return figures


def check(soak: Soak, sent_until: float) -> dict:
    """Exactly one reply per question, limits and mentions, latencies, memory."""
    standin = soak.standin
    with standin._cond:
        messages = list(standin.messages.values())
        requests = list(standin.requests)
        lost = {ident for _, ident in standin.lost_events}
    replies: dict[str, list[dict]] = defaultdict(list)
    for message in messages:
        ref = (message.get("message_reference") or {}).get("message_id")
        if ref:
            replies[ref].append(message)
    created_at = {r.created: r.at for r in requests if r.created}
    latency: list[float] = []
    by_phase: dict[bool, list[float]] = {True: [], False: []}
    problems: list[str] = []
    missing = doubled = late = lost_count = 0
    for asked in soak.asked:
        if asked.interaction is not None:
            rec = asked.interaction
            count = len(rec.callbacks) + len(rec.followups)
            ident = str(rec.id)
            if rec.callback_at is not None:
                latency.append(rec.callback_at - rec.created)
                by_phase[asked.during_reindex].append(latency[-1])
                late += rec.callback_at - rec.created > SLASH_DEADLINE
        else:
            got = replies.get(asked.message["id"], [])
            count, ident = len(got), asked.message["id"]
            if got and got[0]["id"] in created_at:
                latency.append(created_at[got[0]["id"]] - asked.at)
                by_phase[asked.during_reindex].append(latency[-1])
        if count == 0 and ident in lost:
            lost_count += 1
        elif count == 0:
            missing += 1
        elif count > 1:
            doubled += 1
    refused = [r for r in requests if r.status >= 400 and not r.injected]
    if missing:
        problems.append(f"{missing} questions got no reply")
    if doubled:
        problems.append(f"{doubled} questions got more than one reply")
    if late:
        problems.append(f"{late} slash commands were answered after Discord's 3 seconds")
    if refused:
        first = refused[0]
        problems.append(f"{len(refused)} requests refused, e.g. {first.path} {first.status}")
    if standin.violations:
        problems.append(f"{len(standin.violations)} violations, e.g. {standin.violations[0]}")
    if lost_count and not soak.args.faults:
        problems.append(f"{lost_count} questions lost by the gateway without faults")
    memory = memory_figures(soak)
    if memory["verdict"] == "growing":
        problems.append(
            f"memory grew {memory['slope_mb_per_reindex']} MB per reindex after warm-up: "
            f"{memory['after_each_reindex_mb']} MB"
        )
    kinds = Counter(a.kind for a in soak.asked)
    return {
        "seconds": soak.args.seconds,
        "questions": len(soak.asked),
        "by_kind": dict(kinds),
        "asked_during_reindex": sum(a.during_reindex for a in soak.asked),
        "replies": len(soak.asked) - missing - lost_count,
        "missing": missing,
        "answered_twice": doubled,
        "lost_by_gateway": lost_count,
        "latency_ms": {
            "p50": round(percentile(latency, 0.5) * 1000, 1),
            "p99": round(percentile(latency, 0.99) * 1000, 1),
            "max": round(max(latency) * 1000, 1) if latency else None,
            "mean": round(statistics.fmean(latency) * 1000, 1) if latency else None,
            "during_reindex_p50": round(percentile(by_phase[True], 0.5) * 1000, 1),
            "during_reindex_p99": round(percentile(by_phase[True], 0.99) * 1000, 1),
            "otherwise_p50": round(percentile(by_phase[False], 0.5) * 1000, 1),
            "otherwise_p99": round(percentile(by_phase[False], 0.99) * 1000, 1),
        },
        "slash_after_3s": late,
        "reindexes": soak.reindexes,
        "memory": memory,
        "faults": dict(soak.faults),
        "requests": len(requests),
        "problems": problems,
        "sent_until_s": round(sent_until, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to send (60)")
    parser.add_argument("--rate", type=float, default=30.0, help="questions a second (30)")
    parser.add_argument("--articles", type=int, default=6000, help="synthetic articles (6000)")
    parser.add_argument("--batch", type=int, default=1000, help="rewritten per reindex (1000)")
    parser.add_argument("--faults", action="store_true", help="drop the gateway, fail REST")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--loop-watch",
        type=float,
        metavar="MS",
        help="log and count the bot's event-loop steps longer than MS milliseconds",
    )
    args = parser.parse_args()
    args.batch = min(args.batch, args.articles)

    folder = Path(tempfile.mkdtemp(prefix="briefing-soak-"))
    standin = DiscordStandIn().start()
    bot = None
    try:
        sources = make_sources(folder / "sources")
        print(f"writing {args.articles} synthetic articles…", file=sys.stderr)
        make_corpus(args.articles, sources / "synthetic", seed=args.seed)
        practice = [
            json.loads(line)["q"]
            for name in ("bench/questions.jsonl", "tests/data/extra_questions.jsonl")
            for line in (ROOT / name).read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        sample = (sources / "synthetic" / file_name(0)).read_text(encoding="utf-8")
        practice.append(" ".join(w.strip(".,;:!?\"'()") for w in sample.split()[40:400]))
        print("building the index…", file=sys.stderr)
        db = folder / "index" / "briefing.db"  # where start_bot points the bot
        db.parent.mkdir(parents=True, exist_ok=True)  # briefing refuses a --db in no folder
        subprocess.run(
            [sys.executable, "-m", "bot", "index", "--sources", str(sources), "--db", str(db)],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=600,
        )
        # Buttons (and the state behind them) last BUTTON_TIMEOUT seconds instead of 15 minutes,
        # so that the button state reaches its steady size within the run.
        settings = default_discord_settings(
            standin, cooldown_rate=0, excerpts=3, button_timeout=BUTTON_TIMEOUT
        )
        env = {}
        if args.loop_watch:
            env["BRIEFING_E2E_SLOW_CALLBACKS"] = str(args.loop_watch / 1000)
        bot = start_bot(standin, folder, settings, env=env)
        soak = Soak(args, standin, bot.proc.pid, practice, random.Random(args.seed))
        print(f"soaking for {args.seconds:.0f} s at {args.rate:.0f} questions/s…", file=sys.stderr)
        started = soak.started = time.monotonic()
        until = started + args.seconds
        threads = [
            threading.Thread(target=soak.sample_memory, daemon=True),
            threading.Thread(target=soak.reindex_loop, args=(sources, until), daemon=True),
        ]
        if args.faults:
            threads.append(threading.Thread(target=soak.fault_loop, args=(until,), daemon=True))
        for thread in threads:
            thread.start()
        soak.send_questions(until)
        sent_until = time.monotonic() - started
        deadline = time.monotonic() + 30  # the last replies, and a reindex in progress
        while time.monotonic() < deadline and (soak.pending() or soak.reindexing.is_set()):
            time.sleep(0.2)
        time.sleep(1.0)  # for a second reply to show up, if there were to be one
        soak.stop.set()
        for thread in threads:
            thread.join(10)
        figures = check(soak, sent_until)
    finally:
        code = bot.stop(signal.SIGTERM) if bot else None
        standin.stop()
    if code != 0:
        figures["problems"].append(f"the bot exited with {code} on SIGTERM")
    figures["bot_exit"] = code
    if args.loop_watch and bot is not None:
        blocked = [
            float(m.group(1)) for m in re.finditer(r"event loop blocked for (\d+) ms", bot.log())
        ]
        figures["loop_blocked_ms"] = sorted(blocked, reverse=True)
    report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    if bot is not None and not figures["problems"]:
        shutil.rmtree(folder, ignore_errors=True)
    else:
        print(f"kept {folder} (bot log: {folder / 'bot.log'})", file=sys.stderr)
    return 1 if figures["problems"] else 0


def report(f: dict) -> None:
    kinds = ", ".join(f"{k} {v:,}" for k, v in sorted(f["by_kind"].items()))
    lat = f["latency_ms"]
    mem = f["memory"]
    print(f"soak: {f['sent_until_s']:.0f} s, {f['questions']:,} questions ({kinds})")
    print(
        f"  replies: {f['replies']:,}; missing {f['missing']}, answered twice "
        f"{f['answered_twice']}, lost by the gateway {f['lost_by_gateway']}; "
        f"{f['asked_during_reindex']:,} asked during a reindex"
    )
    print(
        f"  latency (to the reply; for a slash command, to its first response): "
        f"p50 {lat['p50']} ms, p99 {lat['p99']} ms, max {lat['max']} ms; "
        f"slash commands after 3 s: {f['slash_after_3s']}"
    )
    each = ", ".join(f"{r['seconds']} s ({r['changed']})" for r in f["reindexes"])
    print(f"  reindexes: {len(f['reindexes'])} done: {each}")
    films = [r.get("films") for r in f["reindexes"]]
    print(f"  films in the index after each reindex: {films}")
    print(
        f"  latency during a reindex: p50 {lat['during_reindex_p50']} ms, "
        f"p99 {lat['during_reindex_p99']} ms; otherwise p50 {lat['otherwise_p50']} ms, "
        f"p99 {lat['otherwise_p99']} ms"
    )
    print(
        f"  bot RSS: start {mem['start_mb']} MB, after warm-up ({WARM_UP_REINDEXES} reindexes) "
        f"{mem['warm_mb']} MB, peak {mem['peak_mb']} MB, end {mem['end_mb']} MB;"
        f" after each reindex {mem['after_each_reindex_mb']} MB"
    )
    print(
        f"  memory after warm-up: {mem['slope_mb_per_reindex']} MB per reindex, "
        f"{mem['slope_mb_per_minute']} MB per minute: {mem['verdict']}"
    )
    if "loop_blocked_ms" in f:
        blocked = f["loop_blocked_ms"]
        print(f"  event loop blocked past the watch: {len(blocked)} times, {blocked[:10]} ms")
    if f["faults"]:
        print(f"  faults injected: {f['faults']}")
    print(f"  {f['requests']:,} REST requests; bot exit code {f.get('bot_exit')}")
    for problem in f["problems"]:
        print(f"  PROBLEM: {problem}")
    print("  OK" if not f["problems"] else "  FAILED")


if __name__ == "__main__":
    sys.exit(main())
