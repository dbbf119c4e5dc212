"""A stand-in for ``Searcher.films()``/``Searcher.film()`` while the engine doesn't have them.

Used only by ``launch_bot.py`` when BRIEFING_E2E_FAKE_FILMS is set *and* the engine lacks the
methods, so the /films and /film tests exercise the bot's side (pagination, autocomplete,
answers) now and switch to the real engine by themselves once it has films.
"""

from __future__ import annotations

from bot.search import NOT_FOUND, Answer, Searcher

FAKE_FILMS = [
    {"title": "Mission: Impossible", "year": 1996, "aliases": ["MI1"]},
    {"title": "Mission: Impossible 2", "year": 2000, "aliases": ["MI2", "M:I-2"]},
    {"title": "Mission: Impossible III", "year": 2006, "aliases": ["MI3"]},
    {"title": "Mission: Impossible – Ghost Protocol", "year": 2011, "aliases": ["MI4"]},
    {"title": "Mission: Impossible – Rogue Nation", "year": 2015, "aliases": ["MI5"]},
    {"title": "Mission: Impossible – Fallout", "year": 2018, "aliases": ["Fallout", "MI6"]},
    {"title": "Mission: Impossible 7", "year": 2023, "aliases": ["MI7", "Dead Reckoning"]},
    {"title": "Top Gun: Maverick", "year": 2022, "aliases": ["Top Gun 2"]},
    {"title": "Edge of Tomorrow", "year": 2014, "aliases": []},
    {"title": "Jack Reacher", "year": 2012, "aliases": []},
    {"title": "Oblivion", "year": 2013, "aliases": []},
    {"title": "The Mummy", "year": 2017, "aliases": []},
]
for number, fake in enumerate(FAKE_FILMS):
    fake.update(articles=1 + number % 3, mentions=2 + number)


def films(self: Searcher) -> list[dict]:
    return [dict(f) for f in FAKE_FILMS]


def film(self: Searcher, title: str, top: int = 3) -> Answer:
    known = {f["title"].lower(): f for f in FAKE_FILMS}
    known.update({a.lower(): f for f in FAKE_FILMS for a in f["aliases"]})
    found = known.get(title.strip().lower())
    if found is None:
        return Answer(title, (), False, NOT_FOUND)
    answer = self.ask(f"{found['title']} stunt", top)
    return Answer(title, answer.excerpts, answer.answered, answer.note)


def add_films(count: int) -> None:
    """Grow the list to ``count`` films (for fuzzing: more matches than Discord's 25 choices,
    titles at the 100-character choice limit and beyond, Markdown and mentions in names)."""
    odd = [
        ("Mission: **Impossible** __Reckoning__ @everyone <@123456789012345678>", ["MI @here"]),
        ("Stunt " + "very " * 20 + "long title", ["Stunt " + "x" * 120]),
        ("Stunt Double", ["Cascadeur " + "x" * 95]),  # "alias → title" over 100 characters
        ("S" * 101, []),
    ]
    for title, aliases in odd:
        FAKE_FILMS.append({"title": title, "year": 2024, "aliases": aliases})
    number = 1
    while len(FAKE_FILMS) < count:
        FAKE_FILMS.append({"title": f"Stunt Reel {number}", "year": 2000 + number % 25})
        FAKE_FILMS[-1]["aliases"] = [f"Reel {number}"]
        number += 1
    for film in FAKE_FILMS:
        film.setdefault("articles", 1)
        film.setdefault("mentions", 2)


def install(count: int = 0) -> None:
    if count > len(FAKE_FILMS):
        add_films(count)
    if not hasattr(Searcher, "films"):
        Searcher.films = films  # type: ignore[attr-defined]
    if not hasattr(Searcher, "film"):
        Searcher.film = film  # type: ignore[attr-defined]
