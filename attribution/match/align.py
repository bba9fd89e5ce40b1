"""Word-level alignment of an article quote with a wire text, and what the differences are.

The pipeline: both texts are tokenised (words, numbers, punctuation, with character
offsets); each word gets a comparison *key* (case and diacritics folded, US/UK spelling
and number formatting normalised, contractions split), the article quote is located in
the wire text with ``rapidfuzz.fuzz.partial_ratio_alignment`` when one is much longer
than the other, and ``rapidfuzz.distance.Levenshtein.opcodes`` over the key lists gives
the word-level diff.  Unmatched words at either edge are an *excerpt* (one side quotes
more than the other), not a difference.  Every other non-equal opcode becomes a
:class:`Change` whose ``kind`` says what kind of difference it is (``number``,
``negation``, ``entity``, ``modal``, ``spelling``, ``punctuation``, ``wording``).

Nothing here needs spaCy or a model: it is plain string work, so the verdict rules can
be tested on hand-made pairs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

# --------------------------------------------------------------------------- folding


def fold(text: str) -> str:
    """Case and diacritics folding (Erdoğan -> erdogan); curly apostrophes -> '."""
    return _fold_cached(text) if len(text) < 64 else _fold(text)


@lru_cache(maxsize=200_000)
def _fold_cached(text: str) -> str:
    return _fold(text)


_SPECIAL = str.maketrans({"ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
                          "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
                          "’": "'", "‘": "'", "ʼ": "'", "`": "'"})


def _fold(text: str) -> str:
    text = text.translate(_SPECIAL)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.casefold()


# --------------------------------------------------------------------------- tokens

_TOKEN_RE = re.compile(
    r"\d+(?:[.,:]\d+)*(?:[-–]\w+)*"  # numbers: 1,800  3.2  6:30  18-million-euro
    r"|\w+(?:[-'’]\w+)*"  # words, hyphenated words, possessives
    r"|\.\.\.|…"  # ellipsis
    r"|[^\w\s]",  # any other punctuation, one char each
    re.UNICODE,
)
_CONTRACTION_RE = re.compile(r"^(\w+?)(n['’]t)$", re.I)

NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
    "million": 10**6, "billion": 10**9, "trillion": 10**12, "dozen": 12, "half": 0.5,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "twice": 2, "once": 1, "double": 2, "triple": 3,
}
# "one" and "second" are ambiguous ("one of them", "a second session"): only digits and
# clear number words make a number difference
_WEAK_NUMBER_WORDS = {"one", "second", "once", "first", "half", "double"}
DATE_WORDS = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "january", "february", "march", "april", "may_month", "june", "july", "august",
    "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "yesterday", "today", "tomorrow",
    "tonight", "weeks", "months", "years", "days", "hours", "week", "month", "year", "day",
    "hour", "minutes", "minute", "spring", "summer", "autumn", "winter", "fall",
}
NEGATIONS = {"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without",
             "nowhere", "n't", "cannot"}
MODALS = {"may", "might", "will", "would", "shall", "should", "must", "can", "could", "ought",
          "wo", "ca", "considering", "consider", "considers", "plan", "plans", "planning",
          "intend", "intends", "hope", "hopes", "expect", "expects", "likely", "possibly",
          "probably", "perhaps", "maybe", "definitely", "certainly"}
QUANTIFIERS = {
    # class name per word: a change across classes changes meaning
    "all": "univ", "every": "univ", "each": "univ", "any": "univ", "always": "always",
    "some": "exist", "several": "exist", "certain": "exist",
    "most": "most", "many": "many", "much": "many", "few": "few", "little": "few",
    "none": "none", "never": "never", "only": "only", "just": "only", "sometimes": "sometimes",
    "often": "often", "rarely": "rarely", "seldom": "rarely", "usually": "usually",
    "more": "more", "less": "less", "fewer": "less", "least": "least", "almost": "almost",
    "nearly": "almost", "partly": "partly", "entirely": "entirely", "completely": "entirely",
    "fully": "entirely", "full": "full", "partial": "partial", "whole": "entirely",
    "public": "scope", "private": "scope",
}
# tense backshift in reported speech ("will" -> "would") is not a change of modality
BACKSHIFT = [{"will", "would", "wo"}, {"can", "could", "ca"}, {"may", "might"},
             {"shall", "should"}, {"is", "was", "'s"}, {"are", "were", "'re"},
             {"has", "had", "have"}, {"do", "did", "does"}, {"am", "was"}]
PRONOUNS = {"i", "me", "my", "mine", "we", "us", "our", "ours", "you", "your", "he", "him",
            "his", "she", "her", "hers", "it", "its", "they", "them", "their", "theirs",
            "this", "that", "these", "those", "itself", "himself", "herself", "themselves",
            "ourselves", "myself"}
ANTONYMS = [("including", "excluding"), ("include", "exclude"), ("includes", "excludes"),
            ("increase", "decrease"), ("increased", "decreased"), ("rise", "fall"),
            ("rose", "fell"), ("raise", "lower"), ("raised", "lowered"), ("above", "below"),
            ("more", "less"), ("before", "after"), ("accept", "reject"),
            ("accepted", "rejected"), ("approve", "reject"), ("approved", "rejected"),
            ("win", "lose"), ("won", "lost"), ("with", "without"), ("for", "against"),
            ("support", "oppose"), ("supports", "opposes"), ("allow", "ban"),
            ("allowed", "banned"), ("open", "close"), ("opened", "closed"), ("up", "down"),
            ("higher", "lower"), ("import", "export"), ("imports", "exports"),
            ("always", "never"), ("all", "none"), ("everyone", "nobody"), ("success", "failure"),
            ("guilty", "innocent"), ("legal", "illegal"), ("true", "false"),
            ("full", "reduced"), ("full", "partial"), ("minimum", "maximum"),
            ("least", "most"), ("start", "end"), ("agree", "disagree")]
_ANTONYM_SET = {frozenset(p) for p in ANTONYMS}
STOPWORDS = set("""a an the and or but if then so of to in on at by for from with as into onto
over under about than that this these those there here be is am are was were been being
have has had do does did would will shall should can could may might must i me my we us
our you your he him his she her it its they them their who whom whose which what when
where why how also just very too said says say told tell according one ones all any each
every some such not no nor only own same other out up down off again further once because
while during before after above below between through until against both few more most
many much s 're 've 'll 'd 's n't per via upon within without""".split())

_UK_US = {
    "licence": "license", "licences": "licenses", "defence": "defense", "offence": "offense",
    "pretence": "pretense", "programme": "program", "programmes": "programs",
    "tyre": "tire", "tyres": "tires", "grey": "gray", "aluminium": "aluminum",
    "catalogue": "catalog", "dialogue": "dialog", "analogue": "analog", "plough": "plow",
    "cheque": "check", "kerb": "curb", "sceptical": "skeptical", "mould": "mold",
    "practise": "practice", "judgement": "judgment", "ageing": "aging", "enrol": "enroll",
    "fulfil": "fulfill", "instal": "install", "skilful": "skillful", "storey": "story",
    "manoeuvre": "maneuver", "paediatric": "pediatric", "oestrogen": "estrogen",
    "anaesthetic": "anesthetic", "draught": "draft", "jewellery": "jewelry",
    "neighbour": "neighbor", "neighbours": "neighbors", "toward": "towards",
    "percent": "percent", "per cent": "percent", "%": "percent", "&": "and",
}


_OUR_RE = re.compile(r"^(\w{3,})our(s|ed|ing|ful|ite|ites|able)?$")
_ISE_RE = re.compile(r"^(\w{2,}[^aeiou])is(e|es|ed|ing|ation|ations|er|ers)$")
_YSE_RE = re.compile(r"^(\w{2,})ys(e|es|ed|ing)$")
_RE_RE = re.compile(r"^(\w{2,}[bt])re(s|d)?$")
_LL_RE = re.compile(r"^(\w{3,}[aeiou])ll(ed|ing|er|ers|ation)$")


@lru_cache(maxsize=200_000)
def spelling_key(word: str) -> str:
    """A folded word in a US/UK-neutral form (colour/color, -ise/-ize, centre/center…)."""
    w = _UK_US.get(word, word)
    if w != word:
        return w
    w = _OUR_RE.sub(r"\1or\2", w)
    w = _ISE_RE.sub(r"\1iz\2", w)
    w = _YSE_RE.sub(r"\1yz\2", w)
    w = _RE_RE.sub(r"\1er\2", w)
    w = _LL_RE.sub(r"\1l\2", w)
    return w


def _number_value(key: str) -> Optional[float]:
    if re.fullmatch(r"\d+(?:,\d{3})*(?:\.\d+)?", key):
        try:
            return float(key.replace(",", ""))
        except ValueError:  # pragma: no cover
            return None
    if key in NUMBER_WORDS:
        return float(NUMBER_WORDS[key])
    return None


@dataclass(frozen=True)
class Token:
    text: str  # as written
    start: int
    end: int
    key: str  # comparison key
    is_word: bool
    proper: bool = False  # capitalised mid-sentence (a name)
    editorial: bool = False  # inside [brackets]: the writer's insertion


_OPEN_QUOTES = set("\"“”«»„‹›'‘’")


def tokenize(text: str) -> list[Token]:
    return list(_tokenize(text))


@lru_cache(maxsize=20_000)
def _tokenize(text: str) -> tuple[Token, ...]:
    toks: list[Token] = []
    bracket = 0
    prev_sentence_end = True
    for m in _TOKEN_RE.finditer(text):
        raw = m.group(0)
        s = m.start()
        pieces = [(raw, s)]
        cm = _CONTRACTION_RE.match(raw)
        if cm and not raw[0].isdigit():
            pieces = [(cm.group(1), s), (cm.group(2), s + len(cm.group(1)))]
        elif raw.lower() == "cannot":
            pieces = [(raw[:3], s), (raw[3:], s + 3)]
        for piece, ps in pieces:
            if piece == "[":
                bracket += 1
            is_word = bool(re.match(r"\w", piece))
            f = fold(piece)
            if is_word:
                if f in ("n't", "n'"):
                    key = "not"
                elif f == "wo" and piece.lower() == "wo":
                    key = "will"
                elif f == "ca":
                    key = "can"
                elif re.fullmatch(r"\d+(?:,\d{3})+(?:\.\d+)?", f):
                    key = f.replace(",", "")
                else:
                    key = spelling_key(f)
                    if key.endswith("'s") and len(key) > 3:
                        key = key  # possessive kept: "turkey's" != "turkey"
            else:
                key = {"…": "...", "–": "-", "—": "-"}.get(piece, piece)
                if key in ("%",):
                    key, is_word = "percent", True
            proper = bool(is_word and piece[:1].isupper() and not prev_sentence_end)
            toks.append(Token(piece, ps, ps + len(piece), key, is_word, proper, bracket > 0))
            if piece == "]":
                bracket = max(0, bracket - 1)
            if is_word:
                prev_sentence_end = False
            elif piece in (".", "!", "?", ":", "...", "…") or piece in _OPEN_QUOTES:
                prev_sentence_end = True
    return tuple(toks)


def words(tokens: list[Token]) -> list[Token]:
    return [t for t in tokens if t.is_word]


@lru_cache(maxsize=200_000)
def stem(key: str) -> str:
    """Crude stem for content-word overlap (no dictionary)."""
    k = key
    if k.endswith("'s"):
        k = k[:-2]
    for suf in ("ations", "ation", "ings", "ing", "edly", "ed", "ies", "es", "ly", "s"):
        if k.endswith(suf) and len(k) - len(suf) >= 3:
            k = k[: -len(suf)]
            break
    if k.endswith("e") and len(k) > 3:
        k = k[:-1]
    return k[:6]


def content_stems(tokens: list[Token]) -> set[str]:
    return {stem(t.key) for t in tokens if t.is_word and t.key not in STOPWORDS
            and t.key not in PRONOUNS and len(t.key) > 1}


# --------------------------------------------------------------------------- diff


@dataclass(frozen=True)
class Change:
    op: str  # replace | insert | delete   (insert: the wire has words the article lacks)
    article: str
    wire: str
    kind: str
    a_len: int = 0  # words on each side
    w_len: int = 0
    local: bool = True  # a small edit flanked by matching words
    edge: bool = False  # at the edge of the aligned core (where an excerpt may begin)
    soft: bool = False  # an entity change between common nouns ("troops"/"border"), no names
    a_at: int = -1  # index of the first article word of the change (-1: none)


MEANING_KINDS = ("number", "negation", "entity", "modal")


@dataclass
class Alignment:
    """The result of aligning an article quote with one wire text."""

    a_tokens: list[Token]
    w_tokens: list[Token]
    a_lo: int = 0  # word-index range of the aligned core on each side
    a_hi: int = 0
    w_lo: int = 0
    w_hi: int = 0
    matched: int = 0  # words equal (by key) inside the core
    changes: list[Change] = field(default_factory=list)
    wire_start: int = 0  # char offsets of the aligned region in the wire text
    wire_end: int = 0
    similarity: float = 0.0  # 0..100: matched words over the core's longer side

    @property
    def a_words(self) -> int:
        return len(self.a_tokens)

    @property
    def w_words(self) -> int:
        return len(self.w_tokens)

    @property
    def core_len(self) -> int:
        return max(self.a_hi - self.a_lo, self.w_hi - self.w_lo, 1)

    @property
    def closeness(self) -> float:
        """Matched words over the aligned core's longer side (0..1)."""
        return self.matched / self.core_len

    @property
    def coverage_article(self) -> float:
        return self.matched / max(1, self.a_words)

    @property
    def coverage_wire(self) -> float:
        return self.matched / max(1, self.w_words)

    @property
    def coverage(self) -> float:
        """How much of the shorter side the match covers (an excerpt either way is fine)."""
        return max(self.coverage_article, self.coverage_wire)

    def kinds(self) -> set[str]:
        return {c.kind for c in self.changes}

    def meaning_changes(self) -> list[Change]:
        return [c for c in self.changes if c.kind in MEANING_KINDS and c.local]

    def wording_changes(self) -> list[Change]:
        return [c for c in self.changes if c.kind == "wording"]


def _window(a: list[Token], w: list[Token]) -> tuple[int, int]:
    """Word-index window of `w` that best holds `a` (when `w` is much longer)."""
    if len(w) <= len(a) + 6:
        return 0, len(w)
    a_str = " ".join(t.key for t in a)
    w_str = " ".join(t.key for t in w)
    res = fuzz.partial_ratio_alignment(a_str, w_str)
    if res is None or res.score < 40:
        return 0, len(w)
    # map char range in w_str to word indices
    pos = 0
    lo, hi = 0, len(w)
    starts = []
    for t in w:
        starts.append(pos)
        pos += len(t.key) + 1
    for i, s in enumerate(starts):
        if s <= res.dest_start:
            lo = i
        if s < res.dest_end:
            hi = i + 1
    slack = max(3, len(a) // 4)
    return max(0, lo - slack), min(len(w), hi + slack)


def _is_number_tok(key: str) -> bool:
    return bool(re.match(r"\d", key)) or (key in NUMBER_WORDS and key not in _WEAK_NUMBER_WORDS)


def _num_values(toks: list[Token]) -> list[float]:
    vals = []
    for t in toks:
        k = t.key.split("-")[0]
        v = _number_value(k)
        if v is not None and (not t.key[0].isalpha() or t.key not in _WEAK_NUMBER_WORDS):
            vals.append(v)
    return sorted(vals)


def _backshift_equal(a: str, b: str) -> bool:
    return any(a in s and b in s for s in BACKSHIFT)


def classify(a_toks: list[Token], w_toks: list[Token], *, reported: bool = False) -> str:
    """The kind of one difference (the article's words vs the wire's words)."""
    a_w = [t for t in a_toks if t.is_word]
    w_w = [t for t in w_toks if t.is_word]
    a_ed = [t for t in a_w if not t.editorial]
    if not a_w and not w_w:
        return "punctuation"
    if not a_ed and all(t.editorial for t in a_w) and not w_w:
        return "punctuation"  # an editorial [insertion] the wire lacks
    a_keys = [t.key for t in a_ed]
    w_keys = [t.key for t in w_w]
    if a_keys == w_keys:  # same words: only punctuation / brackets / spelling around them
        if [fold(t.text) for t in a_ed] != [fold(t.text) for t in w_w]:
            return "spelling"
        return "punctuation"
    if [stem(k) for k in a_keys] == [stem(k) for k in w_keys]:
        return "wording"  # inflection only (forces/force)
    # numbers and dates
    a_nums, w_nums = _num_values(a_ed), _num_values(w_w)
    if a_nums != w_nums and (a_nums or w_nums):
        if any(_is_number_tok(t.key) for t in a_ed + w_w):
            return "number"
    a_dates = sorted(k for k in a_keys if k in DATE_WORDS)
    w_dates = sorted(k for k in w_keys if k in DATE_WORDS)
    if a_dates and w_dates and a_dates != w_dates:
        return "number"
    # negation: a negator on one side only, or an antonym pair
    a_neg = sum(1 for k in a_keys if k in NEGATIONS)
    w_neg = sum(1 for k in w_keys if k in NEGATIONS)
    if a_neg != w_neg and len(a_keys) + len(w_keys) <= 6:
        return "negation"
    for x in a_keys:
        for y in w_keys:
            if frozenset((x, y)) in _ANTONYM_SET or _prefix_antonym(x, y):
                return "negation"
    # modality and quantity
    a_mod = {k for k in a_keys if k in MODALS}
    w_mod = {k for k in w_keys if k in MODALS}
    if a_mod != w_mod:
        only_backshift = (
            reported and len(a_mod) == len(w_mod) == 1
            and _backshift_equal(next(iter(a_mod)), next(iter(w_mod)))
        )
        if not only_backshift:
            return "modal"
    a_q = {QUANTIFIERS[k] for k in a_keys if k in QUANTIFIERS}
    w_q = {QUANTIFIERS[k] for k in w_keys if k in QUANTIFIERS}
    if a_q != w_q:
        return "modal"
    # entities: names that differ on both sides, or one content word swapped for another
    a_prop = {t.key for t in a_ed if t.proper}
    w_prop = {t.key for t in w_w if t.proper}
    a_content = [k for k in a_keys if k not in STOPWORDS and k not in PRONOUNS]
    w_content = [k for k in w_keys if k not in STOPWORDS and k not in PRONOUNS]
    if a_prop and w_prop and {stem(k) for k in a_prop} != {stem(k) for k in w_prop}:
        return "entity"
    if (a_prop and not w_w) or (w_prop and not a_ed):
        return "entity"  # a name added or dropped
    if len(a_content) == 1 and len(w_content) == 1 and len(a_keys) <= 2 and len(w_keys) <= 2:
        if stem(a_content[0]) != stem(w_content[0]) and not (a_prop or w_prop):
            return "entity"
    return "wording"


def _prefix_antonym(x: str, y: str) -> bool:
    if len(x) < 4 or len(y) < 4:
        return False
    for p in ("un", "in", "im", "il", "ir", "dis", "non", "non-"):
        if (x == p + y) or (y == p + x):
            return True
    if x[2:] == y[2:] and {x[:2], y[:2]} == {"in", "ex"} and len(x) > 5:
        return True
    return False


def _scope_insertion(a_toks: list[Token], w_toks: list[Token], before: Optional[Token]) -> bool:
    """One or two qualifier words inserted after a determiner: 'a hospital' / 'a public hospital'."""
    side = [t for t in (a_toks or w_toks) if t.is_word]
    if not side or len(side) > 2 or (a_toks and w_toks):
        return False
    if before is None or before.key not in {"a", "an", "the", "every", "each", "all", "any",
                                            "some", "our", "their", "its", "his", "her"}:
        return False
    return all(t.key not in STOPWORDS and t.key not in PRONOUNS and not t.proper for t in side)


def align(article: str, wire: str, *, reported: bool = False) -> Alignment:
    """Align an article quote with a wire text (a quote, a sentence or a paragraph).

    ``reported`` says that one side is reported speech, so that pronoun person shifts and
    tense backshift ("will" -> "would") are wording, not a change of modality.
    """
    a_all = tokenize(article)
    w_all = tokenize(wire)
    a = words(a_all)
    w = words(w_all)
    al = Alignment(a, w)
    if not a or not w:
        return al
    # locate the shorter in the longer
    if len(w) > len(a):
        w_lo0, w_hi0 = _window(a, w)
        a_lo0, a_hi0 = 0, len(a)
    else:
        a_lo0, a_hi0 = _window(w, a)
        w_lo0, w_hi0 = 0, len(w)
    ak = [t.key for t in a[a_lo0:a_hi0]]
    wk = [t.key for t in w[w_lo0:w_hi0]]
    ops = [(o.tag, o.src_start + a_lo0, o.src_end + a_lo0, o.dest_start + w_lo0, o.dest_end + w_lo0)
           for o in Levenshtein.opcodes(ak, wk)]
    # editorial [bracket] words that the wire lacks must not break the match: treat them as
    # optional by re-aligning without them when they are unmatched (handled in classify)
    eq = [op for op in ops if op[0] == "equal"]
    if not eq:
        al.a_lo, al.a_hi, al.w_lo, al.w_hi = a_lo0, a_lo0, w_lo0, w_lo0
        return al
    # trim unmatched edges (an excerpt on either side)
    first = ops.index(eq[0])
    last = len(ops) - 1 - ops[::-1].index(eq[-1])
    core = ops[first : last + 1]
    # single stray matches far from the rest (a lone "the") are not a core: drop edge equal
    # runs of one stopword separated from the rest by a long gap
    core = _drop_stray_edges(core, a)
    # an edge where both sides go on with different words ("212 app developers" /
    # "122 app developers") is a difference at the edge, not an excerpt: keep the words
    # next to the core (at most two a side) as an edge change
    first_i = ops.index(core[0])
    last_i = ops.index(core[-1])
    if first_i > 0 and ops[first_i - 1][0] == "replace":
        _, i1, i2, j1, j2 = ops[first_i - 1]
        n = min(i2 - i1, j2 - j1, 2)
        core.insert(0, ("edge", i2 - n, i2, j2 - n, j2))
    if last_i < len(ops) - 1 and ops[last_i + 1][0] == "replace":
        _, i1, i2, j1, j2 = ops[last_i + 1]
        n = min(i2 - i1, j2 - j1, 2)
        core.append(("edge", i1, i1 + n, j1, j1 + n))
    al.a_lo, al.w_lo = core[0][1], core[0][3]
    al.a_hi, al.w_hi = core[-1][2], core[-1][4]
    al.matched = sum(op[2] - op[1] for op in core if op[0] == "equal")
    for i, (tag, i1, i2, j1, j2) in enumerate(core):
        if tag == "equal":
            # case/diacritics/spelling inside equal runs
            for t_a, t_w in zip(a[i1:i2], w[j1:j2]):
                fa, fw = fold(t_a.text), fold(t_w.text)
                if fa != fw:
                    al.changes.append(Change("replace", t_a.text, t_w.text, "spelling", 1, 1))
            continue
        a_seg = a[i1:i2]
        w_seg = w[j1:j2]
        # include punctuation tokens between for display
        a_text = article[a_seg[0].start : a_seg[-1].end] if a_seg else ""
        w_text = wire[w_seg[0].start : w_seg[-1].end] if w_seg else ""
        op = "replace" if a_seg and w_seg else ("delete" if a_seg else "insert")
        before = a[i1 - 1] if i1 > 0 else None
        if op in ("delete", "insert") and _scope_insertion(a_seg, w_seg, before):
            kind = "modal"
        else:
            kind = classify(a_seg, w_seg, reported=reported)
        # pronoun-only differences are reported-speech person shifts, never meaning
        if kind in ("entity", "wording", "modal") and _all_pronouns(a_seg + w_seg):
            kind = "wording"
        edge = tag == "edge"
        local = max(len(a_seg), len(w_seg)) <= 4 and (edge or 0 < i < len(core) - 1)
        if kind in ("negation", "number") and max(len(a_seg), len(w_seg)) <= 6:
            local = True
        soft = kind == "entity" and not any(t.proper for t in a_seg + w_seg)
        al.changes.append(Change(op, a_text, w_text, kind, len(a_seg), len(w_seg), local, edge, soft,
                                 i1 if a_seg else max(0, i1 - 1)))
    _balance(al, a[al.a_lo : al.a_hi], w[al.w_lo : al.w_hi], reported)
    # punctuation differences inside the core that matter for display (brackets, ellipsis)
    if any(t.editorial for t in a[al.a_lo : al.a_hi]):
        al.changes.append(Change("replace", "[", "", "punctuation", 0, 0))
    al.wire_start = w[al.w_lo].start
    al.wire_end = w[al.w_hi - 1].end
    al.similarity = round(100.0 * al.closeness, 1)
    return al


def _balance(al: Alignment, a: list[Token], w: list[Token], reported: bool) -> None:
    """Downgrade changes that the whole core cancels out: a negation moved ("do not pay" /
    "pay no"), numbers reordered, a modal in another place."""
    a_keys = [t.key for t in a if not t.editorial]
    w_keys = [t.key for t in w]
    neg_equal = sum(k in NEGATIONS for k in a_keys) == sum(k in NEGATIONS for k in w_keys)
    num_equal = _num_values(a) == _num_values(w) and sorted(
        k for k in a_keys if k in DATE_WORDS) == sorted(k for k in w_keys if k in DATE_WORDS)

    def modal_norm(k: str) -> str:
        if reported:
            for s in BACKSHIFT:
                if k in s:
                    return sorted(s)[0]
        return k

    mod_equal = sorted(modal_norm(k) for k in a_keys if k in MODALS) == sorted(
        modal_norm(k) for k in w_keys if k in MODALS)
    out = []
    for c in al.changes:
        if (c.kind == "negation" and neg_equal and not _has_antonym(c)) or (
            c.kind == "number" and num_equal) or (
            c.kind == "modal" and mod_equal and not _has_quantifier(c) and c.op == "replace"):
            c = Change(c.op, c.article, c.wire, "wording", c.a_len, c.w_len, c.local, c.edge, False, c.a_at)
        out.append(c)
    al.changes = out


def _has_antonym(c: Change) -> bool:
    a = [t.key for t in tokenize(c.article)]
    w = [t.key for t in tokenize(c.wire)]
    return any(frozenset((x, y)) in _ANTONYM_SET or _prefix_antonym(x, y) for x in a for y in w)


def _has_quantifier(c: Change) -> bool:
    a = {QUANTIFIERS[t.key] for t in tokenize(c.article) if t.key in QUANTIFIERS}
    w = {QUANTIFIERS[t.key] for t in tokenize(c.wire) if t.key in QUANTIFIERS}
    return a != w


def _all_pronouns(toks: list[Token]) -> bool:
    ws = [t for t in toks if t.is_word]
    return bool(ws) and all(t.key in PRONOUNS or t.key in {"and", "with", "together"} for t in ws)


def _drop_stray_edges(core: list[tuple], a: list[Token]) -> list[tuple]:
    changed = True
    while changed and len(core) > 2:
        changed = False
        tag, i1, i2, j1, j2 = core[0]
        gap = core[1]
        if tag == "equal" and (i2 - i1) <= 1 and max(gap[2] - gap[1], gap[4] - gap[3]) >= 3:
            if all(t.key in STOPWORDS for t in a[i1:i2]):
                core = core[2:]
                changed = True
                continue
        tag, i1, i2, j1, j2 = core[-1]
        gap = core[-2]
        if tag == "equal" and (i2 - i1) <= 1 and max(gap[2] - gap[1], gap[4] - gap[3]) >= 3:
            if all(t.key in STOPWORDS for t in a[i1:i2]):
                core = core[:-2]
                changed = True
    return core


def content_bigrams(tokens: list[Token]) -> set[tuple[str, str]]:
    seq = [stem(t.key) for t in tokens if t.is_word and t.key not in STOPWORDS
           and t.key not in PRONOUNS and len(t.key) > 1]
    return set(zip(seq, seq[1:]))


def content_overlap(article: str, wire: str) -> float:
    """Share of the shorter side's content stems found on the other side (0..1)."""
    a = content_stems(tokenize(article))
    w = content_stems(tokenize(wire))
    if not a or not w:
        return 0.0
    return len(a & w) / min(len(a), len(w))


def content_overlap_counts(article: str, wire: str) -> tuple[int, int, int]:
    a = content_stems(tokenize(article))
    w = content_stems(tokenize(wire))
    return len(a & w), len(a), len(w)
