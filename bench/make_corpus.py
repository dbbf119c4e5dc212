"""Write N synthetic news articles for the speed benchmark.

    python bench/make_corpus.py N DIR [--seed 7] [--workers 2]

Each article is a Markdown file with front matter (title, url, published, outlet) and about
3 KB of body text: paragraphs of varied sentences mixing everyday English, invented people,
places, organisations and film-like titles, numbers, sums of money and dates.

Words are drawn from wordfreq's 60,000 commonest English words with their real frequencies, so
the corpus has the Zipf spread of real text: "the" in most passages, tens of thousands of words
in a handful. The words that make the seed articles' facts specific (names like "McQuarrie",
"Hellesylt": every seed word rarer than Zipf 3 in English) are left out, and the invented names
are built from syllables, so the corpus never restates a seed fact and the seeds can be mixed in
as needles. Everyday words the seeds share ("motorbike", "jumps", "release", "date") stay in:
they are the distractors a real news corpus would have.

Output depends only on N and the seed: article ``i`` is drawn from its own random generator, so
any worker count writes the same files. 100,000 articles take about half a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import sys
import time
from bisect import bisect
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VOCABULARY_SIZE = 60_000
SEED_WORD_MAX_ZIPF = 3.0  # seed words rarer than this in English are kept out of the corpus
TARGET_CHARS = (2200, 3800)
TITLES = 5000  # distinct film-like titles
VERSION = 2  # bump when the output changes, so the benchmark's cached corpora are rewritten
SKIP_WORDS = frozenset("fuck fucking shit cunt twat bitch nigga nigger dick pussy cock".split())

SYLLABLES = (
    "ka ri lo ven dar mi sa tor bel an or el fin gar ha is jo kel lu mar nor pa quin ros "
    "sel tam ul var wen yor zan bri cal dren fal gro hal jen kor lim mon nat pol ral sten "
    "tra vol wil ber cor dal em fer gil hor ith lan mer nol os per rin sor tul ver"
).split()
FIRST_NAMES = (
    "Anna Ben Clara Daniel Elena Felix Grace Hugo Iris Jonas Kira Leo Maya Nina Oscar Paula "
    "Quentin Rosa Samuel Tara Victor Wanda Yusuf Zoe Amir Bianca Carlos Dana Emil Farah "
    "Gideon Hana Ivan Jade Karim Lena Marco Noor Olga Pavel Rhea Sven Talia Umar Vera Wes "
    "Ximena Yara Zane Aiko Bruno Cyrus Delia Enzo Fiona Gus Helga Ines Joel Kai Lila"
).split()
OUTLETS = (
    "The Daily Ledger|Northern Courier|Metro Wire|The Evening Post|Capital Review|Harbor "
    "Times|Screen Weekly|The Observer Desk|Global Dispatch|Riverside Herald|Frontline News|"
    "The Morning Gazette"
).split("|")
MONTHS = (
    "January February March April May June July August September October November December"
).split()
UNITS = "feet metres miles kilometres people tonnes days hours years minutes votes jobs".split()
SAID = "said|told reporters|wrote|added|explained|claimed|noted|insisted|announced".split("|")


class Generator:
    """Everything drawn from: the weighted vocabulary and the invented names."""

    def __init__(self, seed: int) -> None:
        from wordfreq import top_n_list, word_frequency, zipf_frequency

        from bot.engine.words import tokens

        self.seed = seed
        seed_text = " ".join(p.read_text() for p in sorted((ROOT / "seeds").glob("*")))
        banned = {w for w in tokens(seed_text) if zipf_frequency(w, "en") < SEED_WORD_MAX_ZIPF}
        words = [
            w
            for w in top_n_list("en", VOCABULARY_SIZE)
            if w.isalpha() and w.isascii() and w not in banned and w not in SKIP_WORDS
        ]
        self.words = words
        self.cum = list(accumulate(word_frequency(w, "en") for w in words))
        # Content words (past the commonest 300) for titles and names of things.
        self.nouns = [w for w in words[300:20_000] if len(w) > 2]
        rng = random.Random(seed)
        seed_tokens = set(tokens(seed_text))
        self.surnames = self._invent(rng, 6000, seed_tokens)
        self.places = self._invent(rng, 1500, seed_tokens)
        self.orgs = [
            f"{rng.choice(self.places)} {rng.choice(['Group', 'Institute', 'Council', 'Bank'])}"
            for _ in range(800)
        ] + [f"{rng.choice(self.surnames)} & Co" for _ in range(200)]
        self.titles = [self.new_title(rng) for _ in range(TITLES)]
        self.title_cum = list(accumulate(1 / rank for rank in range(1, TITLES + 1)))  # Zipf

    @staticmethod
    def _invent(rng: random.Random, count: int, avoid: set[str]) -> list[str]:
        names: set[str] = set()
        while len(names) < count:
            name = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3))))
            if name not in avoid:
                names.add(name.capitalize())
        return sorted(names)

    # pieces

    def filler(self, rng: random.Random, low: int, high: int) -> str:
        count = rng.randint(low, high)
        total = self.cum[-1]
        cum = self.cum
        words = self.words
        return " ".join(words[bisect(cum, rng.random() * total)] for _ in range(count))

    def person(self, rng: random.Random) -> str:
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(self.surnames)}"

    def title(self, rng: random.Random) -> str:
        """A film-like title from a pool of ``TITLES`` with Zipf frequencies: news keeps naming
        the same films."""
        return self.titles[bisect(self.title_cum, rng.random() * self.title_cum[-1])]

    def new_title(self, rng: random.Random) -> str:
        a, b = rng.choice(self.nouns).capitalize(), rng.choice(self.nouns).capitalize()
        shape = rng.randrange(4)
        if shape == 0:
            return f"The {a} {b}"
        if shape == 1:
            return f"{a} of the {b}"
        if shape == 2:
            return f"{a} {rng.randint(2, 9)}"
        return f"{a}: {b}"

    def number(self, rng: random.Random) -> str:
        shape = rng.randrange(6)
        if shape == 0:
            return f"{rng.randint(2, 99)}"
        if shape == 1:
            return f"{rng.randint(1, 99)},{rng.randint(0, 999):03d}"
        if shape == 2:
            return f"${rng.randint(1, 900)} million"
        if shape == 3:
            return f"{rng.randint(1, 99)}.{rng.randint(1, 9)} per cent"
        if shape == 4:
            return f"{rng.randint(2, 20)} {rng.choice(['thousand', 'million', 'dozen'])}"
        return f"{rng.randint(100, 9999)} {rng.choice(UNITS)}"

    def date(self, rng: random.Random) -> str:
        month = rng.choice(MONTHS)
        shape = rng.randrange(4)
        if shape == 0:
            return f"on {month} {rng.randint(1, 28)}, {rng.randint(1990, 2024)}"
        if shape == 1:
            return f"on {rng.randint(1, 28)} {month}"
        if shape == 2:
            return f"last {month}"
        return f"in {rng.randint(1960, 2024)}"

    def sentence(self, rng: random.Random) -> str:
        shape = rng.randrange(10)
        f = self.filler
        if shape == 0:
            body = f'"{f(rng, 6, 14).capitalize()}," {self.person(rng)} {rng.choice(SAID)}.'
        elif shape == 1:
            body = (
                f"{self.person(rng)}, {rng.randint(19, 88)}, {rng.choice(SAID)} "
                f"{self.date(rng)} that {f(rng, 6, 16)}."
            )
        elif shape == 2:
            body = f'"{self.title(rng)}" {f(rng, 5, 12)} {self.number(rng)} {f(rng, 2, 8)}.'
        elif shape == 3:
            body = (
                f"In {rng.choice(self.places)}, {f(rng, 6, 15)}, according to "
                f"{rng.choice(self.orgs)}."
            )
        elif shape == 4:
            body = f"{f(rng, 4, 10).capitalize()} {self.number(rng)} {f(rng, 3, 12)}."
        elif shape == 5:
            body = (
                f"The {rng.choice(self.nouns)} of {self.title(rng)} {f(rng, 2, 6)} "
                f"{self.date(rng)}, {f(rng, 3, 10)}."
            )
        elif shape == 6:
            body = f"{f(rng, 8, 20).capitalize()}, {f(rng, 6, 18)}?"
        else:
            body = f"{f(rng, 8, 26).capitalize()}."
        return body

    def article(self, index: int) -> str:
        rng = random.Random(f"{self.seed}-{index}")
        target = rng.randint(*TARGET_CHARS)
        paragraphs: list[str] = []
        size = 0
        while size < target:
            paragraph = " ".join(self.sentence(rng) for _ in range(rng.randint(2, 5)))
            paragraphs.append(paragraph)
            size += len(paragraph) + 2
        headline = self.new_title(rng)
        outlet = rng.choice(OUTLETS)
        year, month, day = rng.randint(2015, 2024), rng.randint(1, 12), rng.randint(1, 28)
        front = (
            "---\n"
            f"title: {headline} {self.filler(rng, 3, 7)}\n"
            f"url: https://news.example.com/{year}/{month:02d}/{index:06d}\n"
            f"published: {year}-{month:02d}-{day:02d}\n"
            f"outlet: {outlet}\n"
            "---\n"
        )
        return front + "\n\n".join(paragraphs) + "\n"


def file_name(index: int) -> str:
    return f"{index:06d}.md"


UPDATE_NOTE = "\n\nThis article was updated.\n"


def toggle_update(folder: Path, start: int, count: int) -> None:
    """Give articles ``start`` to ``start + count`` of a corpus a closing line, or take back the
    one each got last time: real work for a reindex (each read, split and indexed again, its
    films merged again) that leaves the corpus's vocabulary and films as they are, so the
    memory a bot needs for them does too. Each file is replaced whole (written beside, renamed
    over): a build reading meanwhile sees the old text or the new."""
    for i in range(start, start + count):
        path = folder / file_name(i)
        text = path.read_text(encoding="utf-8")
        text = text[: -len(UPDATE_NOTE)] if text.endswith(UPDATE_NOTE) else text + UPDATE_NOTE
        temporary = path.with_suffix(".tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)


_generator: Generator | None = None


def _init(seed: int) -> None:
    global _generator
    _generator = Generator(seed)


def _write_range(args: tuple[Path, int, int]) -> int:
    folder, start, stop = args
    assert _generator is not None
    for index in range(start, stop):
        (folder / file_name(index)).write_text(_generator.article(index), encoding="utf-8")
    return stop - start


def make_corpus(count: int, folder: Path, seed: int = 7, workers: int = 2) -> None:
    """Write ``count`` articles into ``folder`` (created if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    chunk = 2000
    jobs = [(folder, start, min(start + chunk, count)) for start in range(0, count, chunk)]
    if workers <= 1 or count <= chunk:
        _init(seed)
        for job in jobs:
            _write_range(job)
        return
    with multiprocessing.Pool(workers, initializer=_init, initargs=(seed,)) as pool:
        for _ in pool.imap_unordered(_write_range, jobs):
            pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=multiprocessing.cpu_count())
    args = parser.parse_args()
    started = time.perf_counter()
    make_corpus(args.count, args.folder, args.seed, args.workers)
    seconds = time.perf_counter() - started
    print(json.dumps({"articles": args.count, "folder": str(args.folder), "seconds": seconds}))


if __name__ == "__main__":
    main()
