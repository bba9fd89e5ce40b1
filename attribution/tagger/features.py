"""Words, their shapes and their position relative to quote marks. No third-party imports."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from typing import Sequence

from attribution.detect.marks import scan

WORD = re.compile(r"''|``|\w+(?:[-'’.]\w+)*|[^\w\s]", re.UNICODE)
QUOTE_MARKS = set("“”„«»\"‹›") | {"''", "``"}

# shape ids (0 is padding)
SHAPE_LOWER, SHAPE_TITLE, SHAPE_UPPER, SHAPE_DIGIT, SHAPE_PUNCT, SHAPE_QUOTE, SHAPE_OTHER = range(1, 8)
N_SHAPES = 8
# quote position ids (0 is padding)
Q_OUT, Q_IN, Q_OPEN, Q_CLOSE = range(1, 5)
N_QUOTE = 5


# parse features (0 is padding, 1 is "other/unknown"): spaCy's coarse part of speech,
# dependency label and entity type of the token a word starts in
POS_LABELS = ("ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON",
              "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X", "SPACE")
DEP_LABELS = ("ROOT", "acl", "acomp", "advcl", "advmod", "agent", "amod", "appos", "attr", "aux",
              "auxpass", "case", "cc", "ccomp", "compound", "conj", "csubj", "csubjpass", "dative",
              "dep", "det", "dobj", "expl", "intj", "mark", "meta", "neg", "nmod", "npadvmod",
              "nsubj", "nsubjpass", "nummod", "oprd", "parataxis", "pcomp", "pobj", "poss",
              "preconj", "predet", "prep", "prt", "punct", "quantmod", "relcl", "xcomp")
ENT_LABELS = ("PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART",
              "LAW", "LANGUAGE", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL")
POS_ID = {x: i for i, x in enumerate(POS_LABELS, 2)}
DEP_ID = {x: i for i, x in enumerate(DEP_LABELS, 2)}
ENT_ID = {x: i for i, x in enumerate(ENT_LABELS, 2)}
N_POS, N_DEP, N_ENT = len(POS_LABELS) + 2, len(DEP_LABELS) + 2, len(ENT_LABELS) + 2
# clause position: inside a complement clause, a verb that takes one, other
CL_OTHER, CL_IN_COMP, CL_HAS_COMP = range(1, 4)
N_CLAUSE = 4
# what the rule detector made of the word
R_O, R_CON, R_QCON, R_SRC, R_CUE, R_LEX = range(1, 7)
N_RULE = 7
FEATURES = ("shapes", "quote", "pos", "dep", "ent", "clause", "rule")
SIZES = {"shapes": N_SHAPES, "quote": N_QUOTE, "pos": N_POS, "dep": N_DEP, "ent": N_ENT,
         "clause": N_CLAUSE, "rule": N_RULE}


@dataclass(frozen=True)
class Words:
    """The words of one stretch of text, with absolute character offsets.

    `pos` … `rule` are empty until `with_parse` fills them (then they read as padding)."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    texts: tuple[str, ...]
    shapes: tuple[int, ...]
    quote: tuple[int, ...]
    pos: tuple[int, ...] = ()
    dep: tuple[int, ...] = ()
    ent: tuple[int, ...] = ()
    clause: tuple[int, ...] = ()
    rule: tuple[int, ...] = ()

    def __len__(self) -> int:
        return len(self.texts)


def shape_of(w: str) -> int:
    if w in QUOTE_MARKS:
        return SHAPE_QUOTE
    if w.isdigit() or re.fullmatch(r"[\d.,]+", w):
        return SHAPE_DIGIT
    if not any(c.isalnum() for c in w):
        return SHAPE_PUNCT
    if w.isupper() and len(w) > 1:
        return SHAPE_UPPER
    if w[:1].isupper():
        return SHAPE_TITLE
    if w.islower():
        return SHAPE_LOWER
    return SHAPE_OTHER


def words_of(text: str, lo: int, hi: int) -> Words:
    """Words of text[lo:hi] (one paragraph) with their quote-mark position."""
    starts, ends, texts = [], [], []
    for m in WORD.finditer(text, lo, hi):
        starts.append(m.start())
        ends.append(m.end())
        texts.append(m.group())
    inside = [Q_OUT] * len(texts)
    for run in scan(text, [(lo, hi)]):
        for seg in run.segments:
            k = bisect.bisect_left(starts, seg.open_at)
            if k < len(starts) and starts[k] == seg.open_at:
                inside[k] = Q_OPEN
            k = bisect.bisect_left(starts, seg.start)
            while k < len(starts) and ends[k] <= seg.end:
                inside[k] = Q_IN
                k += 1
            if seg.close_at is not None:
                k = bisect.bisect_left(starts, seg.close_at)
                if k < len(starts) and starts[k] == seg.close_at:
                    inside[k] = Q_CLOSE
    return Words(tuple(starts), tuple(ends), tuple(texts), tuple(shape_of(t) for t in texts), tuple(inside))


def windows(n_pieces: list[int], limit: int, stride: int) -> list[tuple[int, int]]:
    """Word windows [a, b) whose word pieces fit in `limit`, overlapping by about `stride` words."""
    out = []
    a = 0
    n = len(n_pieces)
    while a < n:
        total, b = 0, a
        while b < n and total + n_pieces[b] <= limit:
            total += n_pieces[b]
            b += 1
        if b == a:  # one word longer than the limit: it gets a window of its own
            b = a + 1
        out.append((a, b))
        if b >= n:
            break
        a = max(a + 1, b - stride)
    return out


_COMP = {"ccomp", "parataxis"}
_LEXICON: frozenset = frozenset()


def lexicon() -> frozenset:
    """Lemmas of the rule detector's cue verbs (and "according")."""
    global _LEXICON
    if not _LEXICON:
        from attribution.detect.rules import CUE_VERBS, OBJECT_VERBS, REPORT_VERBS

        _LEXICON = frozenset(CUE_VERBS | REPORT_VERBS | OBJECT_VERBS | {"according"})
    return _LEXICON


def unit_words(text: str, units: Sequence, rules: Sequence) -> list:
    """[(unit, Words with parse and rule features)] for parsed units and the rule
    detector's quotes over them (`RuleDetector(broad=True)`, as in training)."""
    by_unit: dict = {}
    starts = [u.start for u in units]
    for q in rules:
        spans = list(q.parts) + ([q.cue] if q.cue else [])
        hit = {bisect.bisect_right(starts, a) - 1 for a, _ in spans}
        if q.unit is not None:
            hit.add(q.unit.index)
        for i in sorted(hit):
            if 0 <= i < len(units):
                by_unit.setdefault(units[i].index, []).append(q)
    lex = lexicon()
    return [(u, with_parse(words_of(text, u.start, u.end), u, by_unit.get(u.index, ()), lex)) for u in units]


def with_parse(w: Words, u, rules: Sequence = (), lexicon: frozenset = frozenset()) -> Words:
    """`w` with the parse features of unit `u` (its spaCy doc) and the rule detector's
    reading (RawQuote-like objects with .parts, .cue and .mention) filled in."""
    doc = u.doc
    pos, dep, ent, clause, rule = [], [], [], [], []
    comp_cache: dict[int, int] = {}
    for s in w.starts:
        k = u.tok_at(s)
        if k >= len(doc):
            pos.append(1), dep.append(1), ent.append(1), clause.append(CL_OTHER)
            rule.append(R_O)
            continue
        t = doc[k]
        pos.append(POS_ID.get(t.pos_, 1))
        dep.append(DEP_ID.get(t.dep_, 1))
        ent.append(ENT_ID.get(t.ent_type_, 1))
        clause.append(_clause(t, comp_cache))
        rule.append(R_LEX if t.lemma_.lower() in lexicon else R_O)
    for q in rules:
        mark = R_QCON if q.kind != "indirect" else R_CON
        for a, b in q.parts:
            _paint(w, rule, a, b, mark)
        if q.cue:
            _paint(w, rule, q.cue[0], q.cue[1], R_CUE)
        m = getattr(q, "mention", None)
        if m is not None and getattr(q, "unit", None) is u:
            _paint(w, rule, u.start + m.start_char, u.start + m.end_char, R_SRC)
    return replace(w, pos=tuple(pos), dep=tuple(dep), ent=tuple(ent), clause=tuple(clause), rule=tuple(rule))


def _paint(w: Words, col: list, a: int, b: int, value: int) -> None:
    k = bisect.bisect_left(w.ends, a + 1)
    while k < len(w.starts) and w.starts[k] < b:
        col[k] = value
        k += 1


def _clause(t, cache: dict) -> int:
    if any(c.dep_ in _COMP for c in t.children):
        return CL_HAS_COMP
    i = t.i
    if i in cache:
        return cache[i]
    seen, x, out = 0, t, CL_OTHER
    while x.head is not x and seen < 40:
        if x.dep_ in _COMP:
            out = CL_IN_COMP
            break
        x, seen = x.head, seen + 1
    cache[i] = out
    return out
