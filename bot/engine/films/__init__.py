"""Films: which films the articles talk about, under every name they use, read from the text.

Why: people ask about a film by many names ("MI7", "Mission Impossible 7", "the seventh
installment", "Fallout", "mision imposible"), and the articles use several of their own. To put
the passages about that film first, the bot needs one entry per film that holds all its names
and the places that mention it. Titles change with every news cycle, so this package has no list
of films: it takes a stretch of text for a title when the way English prose writes it says so.

The pipeline is text in, films out. It knows nothing about SQLite or Discord:

1. ``mentions.find_mentions(article_id, text)`` runs on every article at index time. It uses
   regexes only (about 0.3 ms for a 3 KB article): ``phrases`` finds where a title may be
   (capitalised phrases, quoted title case), and it returns candidate ``Mention``s with the
   cue that found each one (see ``Cue``).
2. ``merge.merge_films(mentions, overrides)`` runs once over all the mentions (the index passes
   each distinct one once, with its count). It works out the franchises, resolves numbers,
   initialisms and ordinals, merges the aliases of each film, applies ``films.toml`` and keeps
   the films backed by strong evidence.
3. ``names.FilmIndex`` runs per question: it indexes aliases by token so that finding the films
   a question names costs a few dict lookups, not a fuzzy scan.

``overrides`` reads ``seeds/films.toml``, which fixes what the heuristics get wrong: the only
hand-written film knowledge. ``keys.key`` is the form two spellings of one title share.
"""
