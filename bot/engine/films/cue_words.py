"""The words and patterns of the cue grammar: what, right before or after a capitalised phrase,
says that it is a film's title (or that it is something else).

``bot.engine.films.mentions`` reads them around each candidate span. They are English words
about films (nouns for kinds of film, verbs of credits, the shapes of appositives), never
titles. Each cue has a strength: a strong one makes any phrase a title; a medium one only a
phrase of several words, or one word that is not everyday English (``mentions.specific``).
"""

from __future__ import annotations

import re

from bot.engine.films.phrases import SP, WORD


class Cue:
    """Why a stretch of text was taken for a film title (``Mention.cue``)."""

    YEAR = "year"  # "2015's X", "X (2014)", "X, the 2014 film"
    FILM_WORD = "film-word"  # "the film X", "the sequel X"
    CREDITS = "credits"  # "starred in X", "X, starring", "X, directed by"
    SEQUEL_OF = "sequel-of"  # "the X sequel": X is a film
    COLON = "colon"  # "Top Gun: Maverick"
    QUOTED = "quoted"  # title case in quotes (strong only if its sentence speaks of films)
    NUMBERED = "numbered"  # "Mission: Impossible 7", "Mission 8"
    INITIALISM = "initialism"  # "MI:7", "MI7"
    ORDINAL = "ordinal"  # "the seventh installment"
    FRANCHISE = "franchise"  # "the X franchise": names a franchise, not one film
    FILM_WORD_AFTER = "film-word-after"  # "the X film": X may be a person or studio, so weak
    APPOSITIVE = "appositive"  # "X, a Finnish documentary about ...", "X, the new film from"
    POSSESSIVE = "possessive"  # "Okafor's The Long Quiet swept the awards"
    LISTED = "listed"  # "directed A and B", "appeared in A, B and C": B and C after a cued A
    RELEASE = "release"  # "X premiered at Sundance", "X opened to $18 million"
    ALIAS = "alias"  # "X (MI7)", "X, also known as Y": Y is X
    PLAIN = "plain"  # a capitalised phrase and nothing more: joins a film, never makes one
    OVERRIDE = "override"  # a name from films.toml


STRONG, MEDIUM = 2, 1  # how much a cue says (a weak cue is 0)

OPEN_QUOTES = "\"“‘'"
CLOSE_QUOTE = r"(?:,?[\"”’'])?"  # after a comma inside it too: '"Hollis & Dyer," a comedy'
COMMA = r"(?:[ \u00a0]*,|(?<=,[\"”’']))"  # a comma, or one just before the closing quote

# Words right before a title that say it is one ("the film X", "2018 spin-off X", "1996's X",
# "starred in X", "directed X"), read from the preceding words rather than by a regex scan.
FILM_NOUNS_BEFORE = frozenset(
    """film films movie movies sequel sequels prequel prequels spin-off spinoff spin-offs remake
    remakes reboot reboots blockbuster blockbusters documentary biopic adaptation""".split()
)
# Kinds of film, which say the same right before a title ("the musical comedy X", "the
# stop-motion feature X", "the Korean thriller X") or as the head of an appositive after it
# ("X, a 1984 Japanese animated fantasy"). Not "musical" (a stage show as often) or "series".
GENRE_NOUNS = frozenset(
    """feature features short shorts documentaries thriller thrillers comedy comedies drama
    dramas horror western westerns fantasy romance satire melodrama noir epic animation cartoon
    mystery adventure caper romcom rom-com slasher whodunit whodunnit farce docudrama
    mockumentary weepie actioner biopics""".split()
)
# Nouns right before a title that make it something else: "the novel X", "the series X".
NOT_FILM_NOUNS = frozenset(
    """novel novels book books memoir memoirs magazine magazines newspaper journal album albums
    song songs single play plays series miniseries show shows sitcom podcast poem comic comics
    game games opera ballet musical""".split()
)
# Modifiers of a genre noun that make it television or the stage: "the TV drama X".
NOT_FILM_MODIFIERS = frozenset("tv television radio stage broadway podcast web".split())
YEAR_NOUNS = FILM_NOUNS_BEFORE | frozenset(
    "installment instalment original release hit thriller comedy drama classic".split()
)
STAR_VERBS = frozenset("star stars starred starring co-star co-stars co-starred".split())
APPEAR_VERBS = frozenset("appear appears appeared appearing".split())
DIRECT_VERBS = frozenset("directed directs directing helmed helms".split())
SEQUEL_NOUNS = frozenset(
    "sequel sequels prequel prequels remake remakes reboot reboots spin-off spinoff".split()
)
NAMING_VERBS = frozenset("called titled entitled".split())
# Verbs of making a film right before its title: "while filming X", "I shot X in 19 days".
FILMING_VERBS = frozenset("filming shooting shot filmed wrapped wrapping editing".split())
# Nouns for a film's material before "for"/"of"/"from" and its title: "the first trailer for X",
# "a teaser for X", "the set of X", "footage from X", "the premiere of X".
MATERIAL_NOUNS = frozenset(
    """trailer trailers teaser teasers poster posters footage clip clips set sets premiere
    screening screenings production""".split()
)
# The same before "for"/"of", but only in a sentence about films: "Tickets for X sold out",
# "Fans of X will want to ..." (tickets for a match, fans of a team, elsewhere).
AUDIENCE_NOUNS = frozenset("tickets Tickets fans Fans".split())
# Nouns for a festival's or a studio's films before "includes" or a colon: "the lineup
# includes A, B and C", "Also screening out of competition: A, B and C".
LINEUP_RE = re.compile(
    r"\b(?:line-?up|selection|competition|programme|program|slate|films|titles|contenders"
    r"|nominees|screening|screenings|credits)\b[^.;:]{0,40}$",
    re.IGNORECASE,
)
LIST_VERBS = frozenset("includes include including".split())
# Nouns before a comma and a title, as with a film noun: "his debut, X.", "her next, X, is ...".
COMMA_NOUNS = frozenset("debut next latest follow-up".split())
# The words a lowercase word before a title must be for a cue to be read there at all.
PRE_CUE_WORDS = (
    YEAR_NOUNS
    | GENRE_NOUNS
    | NOT_FILM_NOUNS
    | DIRECT_VERBS
    | NAMING_VERBS
    | FILMING_VERBS
    | LIST_VERBS
    | {"in", "of", "to", "for", "from", "on"}
)
# After these a function word may be a title ("the comedy Yes", "the film Up").
ONE_WORD_CUES = FILM_NOUNS_BEFORE | GENRE_NOUNS | NAMING_VERBS
# "a second film, provisionally called X": a naming verb whose noun is a film.
NAMED_FILM_RE = re.compile(
    r"\b(?:films?|movies?|features?|documentary|sequel|project|comedy|thriller|drama)"
    r",?(?:[ \u00a0]+(?:provisionally|tentatively|simply|now|originally|initially|first))?"
    r"[ \u00a0]+$",
    re.IGNORECASE,
)
YEAR_WORD_RE = re.compile(r"(1[89]\d\d|20[0-4]\d)(?:['’]s)?")
YEAR = r"(?:1[89]\d\d|20[0-4]\d)"
NOUN = rf"(?:{'|'.join(sorted(YEAR_NOUNS | GENRE_NOUNS))}|spin-?off)"
# The head noun of an appositive that makes the phrase before it a film ("X, a Finnish
# documentary about ...", "X, the new film from ..."); "hit" says less ("the surprise hit of
# the summer": a song's or a show's too), so it is a medium cue.
HEAD_NOUN = rf"(?:{'|'.join(sorted(FILM_NOUNS_BEFORE | GENRE_NOUNS))})"
# What follows the head noun of such an appositive: punctuation, a preposition, a relative
# pronoun, a pronoun opening a clause ("the ghost film her father taped"), an adverb of degree
# ("a horror film so ...") or a participle; not another noun ("the comedy star", "the
# documentary filmmaker"). The same words end "X is her slowest film yet" (COPULA_RE).
HEAD_FOLLOWERS = (
    r"(?:about|from|by|that|which|with|set|shot|made|based|directed|starring|written|produced"
    r"|adapted|inspired|released|due|out|in|on|at|of|for|where|whose|featuring|following"
    r"|filmed|told|he|she|they|it|is|was|has|had|will|now|still|also|loosely|co-written"
    r"|co-directed|and|yet|ever|to|since|so|than|but|her|his|their|its|i|we|you|my|our)\b"
)
HEAD_END = rf"(?=[,.;:)!?\n]|{SP}+[-–—(]|{SP}+{HEAD_FOLLOWERS}|\Z)"
# Up to three modifiers before the head noun: "psychological", "Japanese animated", "cult",
# "1980s", "90-minute", "rally-racing"; not a preposition ("the home of film").
ADJECTIVES = (
    rf"(?:(?!(?:of|in|on|at|for|from|with|to|and|or|by|about)\b)"
    rf"(?:[a-z][a-z\-]*|[A-Z][a-z]+(?:-[a-z]+)?|\d+s|\d+-[a-z]+){SP}+){{0,3}}?"
)
DETERMINER = r"(?:the|a|an|his|her|their|its)"
# Cues that start right where a title ends, matched at the title's end.
POST_CUE_RE = re.compile(
    rf"{CLOSE_QUOTE}(?:"
    rf"(?P<franchise>(?:['’]s)?{SP}+(?:franchise|series|saga|films|movies|sequels|installments"
    rf"|instalments|trilogy|universe|movie{SP}+series|film{SP}+series)\b)"
    rf"|{SP}*\({SP}*(?P<year1>{YEAR}){SP}*\)"
    rf"|{SP}*,?{SP}+(?:released|out){SP}+in{SP}+(?P<year3>{YEAR})\b"
    rf"|(?P<credit>(?:{COMMA}|{SP}*\(){SP}*(?:starring|co-starring|which{SP}+stars"
    rf"|(?P<in_which>in{SP}+which{SP}+(?:he|she|they|(?-i:[A-Z][a-z]+(?:{SP}+[A-Z][a-z]+)?))"
    rf"{SP}+(?:plays|played|stars|starred|portrays|portrayed)\b)"
    rf"|(?:written{SP}+and{SP}+)?(?:co-)?directed{SP}+by|from{SP}+(?:the{SP}+)?director))"
    rf"|(?P<sequel>{SP}+(?:sequel|prequel|remake|reboot|spin-?off)s?\b)"
    rf"|(?P<owned>['’]s{SP}+(?:director|directors|soundtrack|opening{SP}+weekend)\b"
    rf"(?!{SP}+of\b))"
    rf"|(?P<crew>{SP}+(?:cast|soundtrack|screenplay|trailer)\b(?!{SP}+(?:as|in|on|by)\b))"
    rf"|(?P<filmword>{SP}+(?:film|movie)\b))",
    re.IGNORECASE,
)
# An appositive after a title: "X, the 2014 film", "X, a 1984 Japanese animated fantasy", "X,
# a Finnish documentary about ...", "X, the surprise hit of the summer". Tried only where a
# comma and a determiner follow the title (APPOSITIVE_STARTS).
APPOSITIVE_RE = re.compile(
    rf"{CLOSE_QUOTE}{COMMA}{SP}+(?:{DETERMINER}|(?-i:[A-Z][a-z]+['’]s)){SP}+(?:"
    rf"(?P<year>{YEAR}){SP}+{ADJECTIVES}{NOUN}"
    rf"|{ADJECTIVES}(?:(?P<head>{HEAD_NOUN})|(?P<hit>hit))s?{HEAD_END})",
    re.IGNORECASE,
)
# "X is her slowest film yet", "X was the first documentary to ...": a medium cue (the phrase
# may be the subject of any sentence about a film).
COPULA_RE = re.compile(
    rf"{SP}+(?:is|was|remains)(?:{SP}+(?:also|still|now|arguably))?{SP}+"
    rf"{DETERMINER}{SP}+{ADJECTIVES}(?P<head>{HEAD_NOUN})s?"
    rf"(?=[,.;:)!?\n]|{SP}+{HEAD_FOLLOWERS})"
)
APPOSITIVE_STARTS = tuple(
    f"{comma}{determiner} "
    for comma in (", ", '," ', ",” ", ",' ", ",’ ", '", ', "”, ", "', ", "’, ")
    for determiner in ("the", "a", "an", "his", "her", "their", "its")
)
POST_CUE_OPENERS = frozenset(",(\"”’'")
POST_CUE_LETTERS = frozenset("fsmiturop(")
# Words that start an award's name: "the Golden Anchor", "Best Director", "the Palme d'Or".
AWARD_WORD = (
    r"(?:Best|Golden|Silver|Bronze|Crystal|Grand|Jury|Audience|Palme|Oscars?|Academy|BAFTA"
    r"|Bafta|César|Goya|Award|Prize)\b"
)
# What a film does after its title: it premieres somewhere, opens to a sum, tops the box
# office ("Cold Meridian premiered at Sundance", "X, which had its world premiere in Toronto",
# "Kite Season opened to $18 million", "X, slipped to fourth with $5.9 million"). Medium cues:
# plays and shows premiere too, and companies earn. Tried only after RELEASE_STARTS.
MONEY = r"[$£€]\d"
RELEASE_RE = re.compile(
    rf"{CLOSE_QUOTE}(?:{COMMA}{SP}+which(?:{SP}+[\w+]+){{0,4}}?)?{COMMA}?{SP}+(?:"
    rf"(?:premiered|premieres|debuted|debuts|screened)(?:{SP}+(?:last|this|earlier){SP}+\w+)?"
    rf"{SP}+(?:at|in)\b"
    rf"|had{SP}+its{SP}+(?:[a-zA-Z]+{SP}+){{0,2}}premiere\b"
    rf"|(?:topped|tops|led|leads|ruled|dominated|won){SP}+the{SP}+(?:[a-z]+{SP}+)?box{SP}+office"
    rf"|(?:opened|opens|open|debuted|debuts)(?:{SP}+[a-z]+)?{SP}+(?:to|with|at|above|below"
    rf"|around|near){SP}+{MONEY}"
    rf"|(?:grossed|grosses|earned|earns|took{SP}+in|pulled{SP}+in)(?:{SP}+(?:another|an{SP}+"
    rf"estimated|a{SP}+further|nearly|more{SP}+than|over|about|just))?{SP}+{MONEY}"
    rf"|(?:slipped|slips|fell|falls|dropped|drops|climbed|rose|jumped|held){SP}+to{SP}+[a-z]+"
    rf"(?:{SP}+place)?{SP}+with{SP}+{MONEY}"
    rf"|(?:is{SP}+(?:now{SP}+)?streaming|streams|arrives|lands|drops)"
    rf"(?:{SP}+[a-z]+)?{SP}+on{SP}+(?-i:[A-Z])"
    rf"|(?:won|wins|took|takes|scooped|swept|collected|claimed|picked{SP}+up){SP}+"
    rf"(?:the{SP}+|a{SP}+|an{SP}+|two{SP}+|three{SP}+)?(?-i:{AWARD_WORD})"
    rf"|(?:was|is|has{SP}+been){SP}+nominated{SP}+for"
    rf"|(?:filmed|shot){SP}+(?:in|on|at){SP}+(?-i:[A-Z])"
    rf"|(?:opens|opened)(?:{SP}+(?:on{SP}+)?(?-i:Friday|Saturday|Sunday|Monday|Tuesday"
    rf"|Wednesday|Thursday)|{SP}+next{SP}+week|{SP}+this{SP}+week)?{SP}+(?:nationwide|in{SP}+"
    rf"(?:\d[\d,]*{SP}+)?(?:cinemas|theaters|theatres|screens))\b"
    rf"|(?:hits|hit|arrives{SP}+in|arrived{SP}+in){SP}+(?:cinemas|theaters|theatres|screens)\b"
    rf"|is{SP}+coming{SP}+to{SP}+(?:cinemas|theaters|theatres|(?-i:[A-Z]))"
    rf"|(?:out{SP}+now|now{SP}+showing)\b"
    rf"|stars{SP}+(?-i:[A-Z][a-z]+{SP}+[A-Z][a-z]+){SP}+as\b"
    rf"|(?:follows|tells{SP}+the{SP}+story{SP}+of|centres{SP}+on|centers{SP}+on|is{SP}+set{SP}+in)"
    rf"{SP}+(?:a|an|the|two|three|four|[a-z]+{SP}+(?:who|whose))\b)"
)
# "Marrow Creek star Tilda Vance", "Ghost Orchard actor Dev Malhotra": the title is a film of
# the person's (medium: "Real Madrid star ..." reads the same, so only in articles about films).
ROLE_AFTER_RE = re.compile(
    rf"{SP}+(?:star|actor|actress|director|co-star){SP}+(?-i:[A-Z][a-z]+{SP}+[A-Z])"
)
# The word after a title (or after its comma) that may start a release cue.
RELEASE_WORDS = frozenset(
    """which premiered premieres debuted debuts screened had topped tops led leads ruled
    dominated won wins opened opens open grossed grosses earned earns took takes pulled slipped
    slips fell falls dropped drops climbed rose jumped held streams arrives lands scooped swept
    collected claimed picked follows tells centres centers filmed shot hits hit out now
    stars""".split()
)
# "is", "was" and "has" start a release cue only so ("X is now streaming on ...").
RELEASE_AUXILIARIES = (
    " is coming to ",
    " is now streaming ",
    " is streaming ",
    " is set in ",
    " is nominated ",
    " was nominated ",
    " has been nominated ",
)
# A sentence about a television show: a release cue there is the show's ("returns for a second
# season", "its first episode premiered at"). Lowercase: "Kite Season" is a film's title.
TELEVISION_RE = re.compile(r"\b(?:seasons?|episodes?|series|miniseries|sitcom)\b")
ROLE_AFTER_WORDS = frozenset("star actor actress director co-star".split())
COPULA_WORDS = frozenset({"is", "was", "remains", "has"})
# Company words at the end of a name that earns or opens something: not a film.
COMPANY_WORDS = frozenset(
    """Pictures Studios Studio Films Entertainment Media Group Inc Corp Corporation Company
    Networks Network Channel Records Capital Partners Holdings Bank Theatres Cinemas Cinema
    Theatre Theater Museum Gallery Hall Centre Center Festival Exchange Zoo Park Tower""".split()
)
# "Y will star as a retired judge in X", "Y plays a night-shift nurse in X", "has been cast
# in X": an actor's part, then the film (medium: "plays a cop in Chicago" too).
ROLE_IN_RE = re.compile(
    rf"\b(?:(?:star|stars|starred|starring|co-stars?|co-starred)(?:{SP}+as)?|plays|played"
    rf"|playing|portrays|portrayed)(?:{SP}+[a-z][\w'’-]*){{1,5}}{SP}+$|\bcast{SP}+$"
)
# Words before a phrase that make it a place or one of a pair: an appositive after it may
# belong to something earlier ("opened in the United States and Canada, the biggest hit";
# a genre noun says more: "..., and Quiet Frequencies, a Finnish documentary about ...").
PLACE_BEFORE_WORDS = frozenset("in at from across near outside and or to".split())
# "In X, director Y turns ...": X is a film, unless Y is saying something there ("In Lisbon,
# director Paulo Serra said ...").
IN_DIRECTOR_RE = re.compile(
    rf"{CLOSE_QUOTE}{COMMA}{SP}+(?:the{SP}+)?(?:director|filmmaker|writer-director|co-director)s?"
    rf"{SP}+{WORD}(?:{SP}+{WORD}){{0,2}}{SP}+(?P<verb>[a-z]+)"
)
SPEECH_VERBS = frozenset(
    """said says told tells announced announces explained explains added adds noted notes
    revealed reveals confirmed confirms insisted insists recalled recalls admitted admits
    spoke speaks joked jokes argued argues""".split()
)
# A nationality or language before "remake", "sequel" or "actor": "an English-language remake
# of", "the Kenyan actor" ("Kenyan", "Korean", "Danish"; not "Batman").
DEMONYM_RE = re.compile(r"^[A-Z][a-z]+(?:ish|ese|[^m]an|ch)$|-language$")  # not "Batman"
# What may stand between two titles named in one breath: "A and B", "A, B and C", "A in 1988
# and later in B", "A as well as B".
LIST_BETWEEN_RE = re.compile(
    rf"{CLOSE_QUOTE}(?:{SP}+(?:in|from){SP}+{YEAR})?"
    rf"(?:{SP}*,{SP}*(?:(?:and|or){SP}+)?|{SP}+(?:and|or|as{SP}+well{SP}+as){SP}+)"
    rf"(?:(?:later|then|also|again|even|finally){SP}+)?(?:(?:in|on){SP}+)?[\"“‘']?$"
)
# A title's first words, before a small word titles use ("Salt on the Wire (2013)", "Mornings
# at Estrela, directed by ...", "Eight Bells for Ottilie, the new drama", "Lights Over Carrow
# (1974)": title case capitalises the longer ones): taken in when the cue comes after the title.
# A person or an award before it is no title's start ("Blunt in Edge of Tomorrow (2014)", "an
# Oscar for Titanic (1997)": see extent.extend_left).
LEFT_JOIN_RE = re.compile(
    rf"((?:(?:A|An|The){SP}+)?{WORD}(?:{SP}+(?:of{SP}+the|of|the){SP}+{WORD}|{SP}+{WORD})*)"
    rf"{SP}+(?:on|at|by|for|in|with|from|under|over|into|upon|without|beyond|through|between"
    rf"|among|against|Over|Under|From|Into|Upon|With|Without|Beyond|Through|Between|Among"
    rf"|Against)(?:{SP}+(?:the|a|an))?{SP}+$"
)
# "X and Y" after a film noun is one title ("the animated short Kettle and Crow"), unless Y
# starts with an article ("the films X and The Y").
AND_TITLE_RE = re.compile(rf"{SP}+(?:and|&){SP}+(?!(?:The|A|An){SP})({WORD}(?:{SP}+{WORD})*)")
# Punctuation that ends a title in an appositive: "her previous film, X, was ...".
CLOSERS = frozenset(",.;:)!?—–\n")
CLAUSE_BREAKS = ("; ", ", and ", ", but ")  # within a sentence
# A sentence speaks of films: what makes a quoted title-case phrase a title, not a quote.
FILM_CONTEXT_RE = re.compile(
    r"\b(?:films?|movies?|sequels?|prequels?|installments?|instalments?|franchises?|trailers?"
    r"|box[ -]office|premieres?|cinemas?|theaters|theatres|starring|stars|starred|directed"
    r"|director|blockbusters?|screenings?|spin-?offs?|filmmakers?)\b",
    re.IGNORECASE,
)
# What makes a sentence about a film for a maker's possessive ("Okafor's X"): the words above,
# and the awards, openings and box-office weekends films have ("swept the awards", "nine
# nominations", "opened", "slipped 61% in its second frame").
SCREEN_CONTEXT_RE = re.compile(
    rf"{FILM_CONTEXT_RE.pattern}|\b(?:documentary|comedy|thriller|drama|feature|awards?"
    r"|nominations?|nominated|opened|opens|released|festival|grossed|grosses|debuted|frame)\b",
    re.IGNORECASE,
)
ATTRIBUTIVE_RE = re.compile(r"[.,]?[\"”’'][ \u00a0][a-z]")
ROMAN_TAIL_RE = re.compile(r"^(.*?[A-Za-z])[ \u00a0]+([IVX]{1,5})$")
