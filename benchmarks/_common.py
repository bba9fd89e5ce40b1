"""Shared scoring helpers for the benchmarks (no third-party imports).

An *item* is one role of one attribution (its content, its source or its cue) given as
a tuple of ``(start, end)`` character intervals into a document text. An item with
several segments (a split content, a discontinuous cue) is one item: it is compared as
the union of its segments' character offsets.

Exact match
    Each segment is trimmed at both ends of whitespace, quote marks (``" “ ” ‘ ’ « » „ ‹ ›
    '`` and any other Unicode ``P*`` character) and punctuation; two items match exactly
    when the sets of offsets covered by their trimmed segments are equal.
Partial match
    Greedy one-to-one matching by descending Jaccard over *letter offsets* (offsets whose
    character is alphanumeric); a pair matches when Jaccard >= 0.5.
"""

from __future__ import annotations

import json
import re
import string
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence

Interval = tuple[int, int]
Item = tuple[Interval, ...]

# Quote marks of all kinds. DOUBLE_QUOTES are the ones that mark quotations in PolNeAR and
# in the cases; single marks double as apostrophes and are not used for strata.
QUOTE_MARKS = frozenset("\"“”‘’«»„‹›'‚‛‟「」『』")
DOUBLE_QUOTES = frozenset("\"“”«»„‟")


def is_trim_char(ch: str) -> bool:
    """Whitespace, a quote mark or punctuation (Unicode category P*, plus ASCII symbols)."""
    return (
        ch.isspace()
        or ch in QUOTE_MARKS
        or unicodedata.category(ch).startswith("P")
        or ch in string.punctuation
    )


def trim_interval(text: str, start: int, end: int) -> Interval:
    """Shrink ``[start, end)`` past whitespace, quote marks and punctuation at both ends.

    An interval that holds nothing else becomes empty: ``(start, start)``.
    """
    while start < end and is_trim_char(text[start]):
        start += 1
    while end > start and is_trim_char(text[end - 1]):
        end -= 1
    return (start, end)


LEADING_THAT = re.compile(r"(?i)that\s+")


def trimmed_offsets(text: str, item: Item, drop_that: bool = False) -> frozenset[int]:
    """The set of offsets covered by the item's segments after trimming each segment.

    An item of punctuation only (PolNeAR has colon cues, ``:``) keeps its raw offsets.
    With ``drop_that`` a leading complementiser "that" of the first segment is trimmed too.
    """
    out: set[int] = set()
    for k, (s, e) in enumerate(item):
        ts, te = trim_interval(text, s, e)
        if drop_that and k == 0:
            m = LEADING_THAT.match(text, ts, te)
            if m:
                ts, te = trim_interval(text, m.end(), te)
        out.update(range(ts, te))
    if not out:
        out = {i for s, e in item for i in range(s, e) if not text[i].isspace()}
    return frozenset(out)


def letter_offsets(text: str, item: Item) -> frozenset[int]:
    """The set of offsets in the item whose character is alphanumeric.

    An item without any (a colon cue) gives its non-space offsets instead.
    """
    offs = [i for s, e in item for i in range(max(s, 0), min(e, len(text)))]
    out = frozenset(i for i in offs if text[i].isalnum())
    return out or frozenset(i for i in offs if not text[i].isspace())


def jaccard(a: frozenset | set, b: frozenset | set) -> float:
    if not a and not b:
        return 0.0
    inter = len(a & b)
    if not inter:
        return 0.0
    return inter / (len(a) + len(b) - inter)


def greedy_match(
    n_gold: int,
    n_pred: int,
    score: Callable[[int, int], float],
    threshold: float,
) -> list[tuple[int, int, float]]:
    """Greedy one-to-one matching, best score first.

    ``score(g, p)`` scores gold item ``g`` against predicted item ``p``; pairs scoring
    below ``threshold`` (or 0) never match. Ties break by gold then prediction order, so
    the result is deterministic. Returns ``[(g, p, score)]`` sorted by gold index.
    """
    pairs = []
    for g in range(n_gold):
        for p in range(n_pred):
            sc = score(g, p)
            if sc > 0 and sc >= threshold:
                pairs.append((-sc, g, p))
    pairs.sort()
    used_g: set[int] = set()
    used_p: set[int] = set()
    out = []
    for neg, g, p in pairs:
        if g in used_g or p in used_p:
            continue
        used_g.add(g)
        used_p.add(p)
        out.append((g, p, -neg))
    out.sort()
    return out


def match_exact(
    text: str, gold: Sequence[Item], pred: Sequence[Item], drop_that: bool = False
) -> list[tuple[int, int, float]]:
    """One-to-one matching of items whose trimmed offset sets are equal (and non-empty).

    ``drop_that``: ignore a leading "that" on both sides (PolNeAR includes the
    complementiser in the content; this project's convention leaves it out).
    """
    gs = [trimmed_offsets(text, it, drop_that) for it in gold]
    ps = [trimmed_offsets(text, it, drop_that) for it in pred]
    return greedy_match(len(gs), len(ps), lambda g, p: 1.0 if gs[g] and gs[g] == ps[p] else 0.0, 1.0)


def match_partial(
    text: str, gold: Sequence[Item], pred: Sequence[Item], threshold: float = 0.5
) -> list[tuple[int, int, float]]:
    """Greedy one-to-one matching by descending Jaccard over letter offsets (>= threshold)."""
    gs = [letter_offsets(text, it) for it in gold]
    ps = [letter_offsets(text, it) for it in pred]
    return greedy_match(len(gs), len(ps), lambda g, p: jaccard(gs[g], ps[p]), threshold)


@dataclass
class PRF:
    """Counts for precision/recall/F1 under one-to-one matching."""

    matched: int = 0  # matched pairs (= matched gold = matched predictions)
    n_gold: int = 0
    n_pred: int = 0
    matched_pred: Optional[int] = None  # when precision counts differ from recall counts

    def add(self, other: "PRF") -> None:
        self.matched += other.matched
        self.n_gold += other.n_gold
        self.n_pred += other.n_pred
        if other.matched_pred is not None or self.matched_pred is not None:
            self.matched_pred = (self.matched_pred if self.matched_pred is not None else 0) + (
                other.matched_pred if other.matched_pred is not None else other.matched
            )

    @property
    def p(self) -> float:
        mp = self.matched if self.matched_pred is None else self.matched_pred
        return mp / self.n_pred if self.n_pred else 0.0

    @property
    def r(self) -> float:
        return self.matched / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.p, self.r
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_json(self) -> dict:
        return {
            "p": round(self.p, 4), "r": round(self.r, 4), "f1": round(self.f1, 4),
            "matched": self.matched, "gold": self.n_gold, "pred": self.n_pred,
            **({"matched_pred": self.matched_pred} if self.matched_pred is not None else {}),
        }


# --------------------------------------------------------------------------- strata


def content_stratum(text: str, item: Item) -> str:
    """``direct`` | ``mixed`` | ``indirect`` for a content item (segments joined by a space).

    * indirect: no double quote mark (``" “ ” « » „``) in the content;
    * direct: after trimming whitespace and non-quote punctuation at both ends the joined
      text starts and ends with a double quote mark, and (pairing marks by parity) no
      letter lies between a closing mark and the next opening one — so
      ``“perhaps” the rules “need another look.”`` is mixed. With an odd number of
      marks the parity check is skipped (start and end marks suffice).
    * mixed: anything else with a double quote mark.

    Single marks (‘ ’ ') are ignored here: they double as apostrophes.
    """
    joined = " ".join(text[s:e] for s, e in item)
    return stratum_of_text(joined)


def stratum_of_text(joined: str) -> str:
    if not any(ch in DOUBLE_QUOTES for ch in joined):
        return "indirect"
    i, j = 0, len(joined)
    while i < j and is_trim_char(joined[i]) and joined[i] not in DOUBLE_QUOTES:
        i += 1
    while j > i and is_trim_char(joined[j - 1]) and joined[j - 1] not in DOUBLE_QUOTES:
        j -= 1
    core = joined[i:j]
    if len(core) < 2 or core[0] not in DOUBLE_QUOTES or core[-1] not in DOUBLE_QUOTES:
        return "mixed"
    marks = [k for k, ch in enumerate(core) if ch in DOUBLE_QUOTES]
    if len(marks) % 2 == 0:
        for k in range(1, len(marks) - 1, 2):
            if any(ch.isalnum() for ch in core[marks[k] : marks[k + 1]]):
                return "mixed"
    return "direct"


def expand_to_marks(text: str, item: Item, reach: int = 3) -> Item:
    """Widen a predicted item over quote marks right next to it, to classify its stratum.

    Predicted parts of a direct quote usually exclude the marks (``Hello,`` in
    ``"Hello," she said``); this looks up to ``reach`` punctuation characters outward at
    each end of each segment and includes them when that reaches a quote mark.
    """
    out = []
    for s, e in item:
        ns = s
        k = s
        while k > 0 and s - k < reach and is_trim_char(text[k - 1]) and text[k - 1] != "\n":
            k -= 1
            if text[k] in DOUBLE_QUOTES:
                ns = k
        ne = e
        k = e
        while k < len(text) and k - e < reach and is_trim_char(text[k]) and text[k] != "\n":
            k += 1
            if text[k - 1] in DOUBLE_QUOTES:
                ne = k
        out.append((ns, ne))
    return tuple(out)


PERSONAL_PRONOUNS = frozenset(
    "he she they it i we you him her them me us his hers its their theirs my our ours your yours "
    "himself herself themselves itself myself ourselves yourself".split()
)
RELATIVE_PRONOUNS = frozenset("who whom whose which that".split())
FUNCTION_WORDS = frozenset(
    "the a an this that these those some many one another both all each several most other "
    "others any no such mr mrs ms dr former".split()
) | PERSONAL_PRONOUNS | RELATIVE_PRONOUNS

_WORD = re.compile(r"[^\W_][\w'’.\-]*")


def capitalised_vocab(texts: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
    """(words seen lower-case, words seen capitalised *not* at a sentence start) in ``texts``."""
    lower: set[str] = set()
    cap_mid: set[str] = set()
    for t in texts:
        for m in _WORD.finditer(t):
            w = m.group()
            if w[0].islower():
                lower.add(w.lower())
            elif w[0].isupper() and not _sentence_initial(t, m.start()):
                cap_mid.add(w.lower())
    return frozenset(lower), frozenset(cap_mid)


def _sentence_initial(text: str, pos: int) -> bool:
    pre = text[:pos].rstrip(" \t\"“‘'(«„—–-")
    return not pre or pre[-1] in ".!?:\n"


def source_type(
    text: str,
    item: Item,
    vocab: Optional[tuple[frozenset[str], frozenset[str]]] = None,
) -> str:
    """``named`` | ``pronoun`` | ``relative`` | ``common`` | ``missing`` for a source item.

    * missing: no segment;
    * pronoun: the whole source is one personal pronoun (he, she, they, it, I, we, you,
      him, her, them, his, …);
    * relative: the whole source is a relative pronoun (who, which, that, whose, whom);
    * named: some capitalised word that is not a function word (the, this, his, Mr., …)
      and, when it stands at a sentence start, is known as a name: seen capitalised
      mid-sentence in ``vocab`` or never seen lower-case there ("Trump", "White House",
      "Republicans"; "Officials said" at a sentence start is not named);
    * common: anything else ("the campaign", "officials", "The report").
    """
    if not item:
        return "missing"
    src = " ".join(text[s:e] for s, e in item)
    norm = src.strip().strip(string.punctuation + "“”‘’ ").lower()
    if not norm:
        return "missing"
    if norm in PERSONAL_PRONOUNS:
        return "pronoun"
    if norm in RELATIVE_PRONOUNS:
        return "relative"
    lower, cap_mid = vocab if vocab is not None else (frozenset(), frozenset())
    for s, e in item:
        for m in _WORD.finditer(text[s:e]):
            w = m.group()
            if not w[0].isupper():
                continue
            lw = w.lower().rstrip(".")
            if lw in FUNCTION_WORDS:
                continue
            if _sentence_initial(text, s + m.start()) and lw in lower and lw not in cap_mid:
                continue
            return "named"
    return "common"


# --------------------------------------------------------------------------- text folding


def fold(s: str) -> str:
    """NFKD, drop combining marks, casefold, collapse whitespace."""
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.casefold()
    # letters NFKD does not decompose
    s = s.translate(str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "ß": "ss", "æ": "ae", "œ": "oe"}))
    return " ".join(s.split())


def norm_text(s: str) -> str:
    """Fold, strip quote marks/punctuation/whitespace at both ends, collapse spaces."""
    s = fold(s)
    i, j = 0, len(s)
    while i < j and is_trim_char(s[i]):
        i += 1
    while j > i and is_trim_char(s[j - 1]):
        j -= 1
    return s[i:j]


def norm_words(s: str) -> list[str]:
    """The folded words of ``s`` (apostrophes kept inside words, ’ folded to ')."""
    return re.findall(r"[^\W_]+(?:['’][^\W_]+)*", fold(s).replace("’", "'"))


def text_match_score(gold: str, pred: str) -> float:
    """Score for matching a gold quote text with a predicted one (0 = no match).

    1.0 for equal word sequences; otherwise Jaccard over word sets when >= 0.5; when one
    word sequence contains the other (on word boundaries) and Jaccard is lower,
    0.5 + Jaccard/2 (so it still qualifies, but ranks after closer pairs).
    """
    gw, pw = norm_words(gold), norm_words(pred)
    if not gw or not pw:
        return 0.0
    if gw == pw:
        return 1.0
    j = jaccard(set(gw), set(pw))
    if j >= 0.5:
        return j
    gs, ps = " " + " ".join(gw) + " ", " " + " ".join(pw) + " "
    if gs in ps or ps in gs:
        return 0.5 + j / 2
    return 0.0


# --------------------------------------------------------------------------- output


def fmt_table(headers: Sequence[str], rows: Sequence[Sequence[object]], title: str = "") -> str:
    """Plain-text table, first column left-aligned, others right-aligned."""
    cells = [[_fmt(c) for c in headers]] + [[_fmt(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(r):
        return "  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r))

    out = []
    if title:
        out.append(title)
    out.append(line(cells[0]))
    out.append("  ".join("-" * w for w in widths))
    out.extend(line(r) for r in cells[1:])
    return "\n".join(out)


def _fmt(c: object) -> str:
    if isinstance(c, float):
        return f"{100 * c:.1f}"
    return str(c)


def prf_row(name: str, m: PRF) -> list[object]:
    return [name, m.p, m.r, m.f1, m.n_gold, m.n_pred, m.matched]


PRF_HEADERS = ["", "P", "R", "F1", "gold", "pred", "match"]


def shared_data_dir() -> Path:
    """``../shared/data`` next to the repository root."""
    return Path(__file__).resolve().parents[1].parent / "shared" / "data"


def write_json(obj, dest: str) -> None:
    """The figures as JSON: to stdout for "-", else to the file `dest`."""
    blob = json.dumps(obj, indent=2)
    if dest == "-":
        print(blob)
    else:
        Path(dest).write_text(blob + "\n", encoding="utf-8")
