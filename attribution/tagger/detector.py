"""The tagger as a quote detector, alone (`tagger`) or joined with the rules (`hybrid`).

Tagged content spans become quotes; each takes the nearest tagged cue in its
paragraph (the same sentence first) and the tagged source nearest that cue. The
kind comes from the quote marks around the content. `hybrid` keeps every quote the
rules find inside quote marks with a cue, and adds the tagger's reported speech
where the rules found nothing.
"""

from __future__ import annotations

from typing import Optional

from attribution.detect.rules import NAMING_BEFORE, QUOTE_CHARS, RawQuote, RuleDetector
from attribution.nlp import Unit
from attribution.tagger.decode import spans as tag_spans
from attribution.tagger.features import Q_IN, SHAPE_PUNCT, SHAPE_QUOTE, Words, unit_words, words_of

PARSE_FEATURES = {"pos", "dep", "ent", "clause", "rule"}

_LOADED = None


def _load():
    global _LOADED
    if _LOADED is None:
        import torch

        from attribution.tagger.model import load, shipped

        if not shipped():
            raise RuntimeError("the tagger's weights are not installed (attribution/tagger/weights); "
                               "train them with: python -m attribution.tagger.train")
        torch.set_num_threads(max(1, torch.get_num_threads()))
        _LOADED = load()
    return _LOADED


class TaggerDetector:
    name = "tagger"

    def __init__(self, tok=None, model=None):
        self._tok, self._model = (tok, model) if model is not None else (None, None)

    def _net(self):
        if self._model is None:
            self._tok, self._model = _load()
        return self._tok, self._model

    def detect(self, text: str, units: list[Unit]) -> list[RawQuote]:
        from attribution.tagger.model import tag_words

        tok, model = self._net()
        if set(model.config.features) & PARSE_FEATURES:
            rules = RuleDetector(broad=True).detect(text, units) if "rule" in model.config.features else []
            words = [w for _, w in unit_words(text, units, rules)]
        else:
            words = [words_of(text, u.start, u.end) for u in units]
        tags = tag_words(tok, model, words)
        out: list[RawQuote] = []
        for u, w, t in zip(units, words, tags):
            out.extend(_quotes_of(text, u, w, t))
        out.sort(key=lambda q: q.start)
        return out


class HybridDetector:
    """Rules for quoted speech, the tagger for what the rules do not see."""

    name = "hybrid"

    def __init__(self, tok=None, model=None):
        self.rules = RuleDetector()
        self.tagger = TaggerDetector(tok, model)

    def detect(self, text: str, units: list[Unit]) -> list[RawQuote]:
        ruled = self.rules.detect(text, units)
        taken = [(a, b) for q in ruled for a, b in q.parts]
        extra = []
        for q in self.tagger.detect(text, units):
            if q.kind != "indirect":
                continue  # quoted speech: the rules' marks and cues are surer
            if any(a < e and s < b for s, e in q.parts for a, b in taken):
                continue
            extra.append(q)
        out = ruled + extra
        out.sort(key=lambda q: (q.start, q.kind != "indirect"))
        return out


def _quotes_of(text: str, u: Unit, w: Words, tags: list[int]) -> list[RawQuote]:
    found = tag_spans(tags)
    cues = [(a, b) for r, a, b in found if r == "CUE"]
    srcs = [(a, b) for r, a, b in found if r == "SRC"]
    out = []
    by_cue: dict[Optional[tuple[int, int]], RawQuote] = {}
    for role, a, b in found:
        if role != "CON":
            continue
        s, e = _trim(text, w.starts[a], w.ends[b - 1])
        if e <= s:
            continue
        cue = _nearest(cues, a, b)
        quoted = sum(1 for k in range(a, b) if w.quote[k] == Q_IN) / max(1, b - a)
        if _is_label(w, a, b):
            continue
        if cue is not None and cue in by_cue and _cue_between(by_cue[cue].parts[-1], cue, w, s):
            # "A," she said, "B": the parts on either side of one cue are one quote
            prev = by_cue[cue]
            prev.parts.append((s, e))
            prev.kind = "split" if prev.kind != "indirect" else prev.kind
            continue
        kind = "direct" if quoted > 0.8 else ("partial" if quoted > 0.0 and b - a <= 12 and quoted > 0.5 else "indirect")
        rq = RawQuote(kind=kind, parts=[(s, e)], unit=u)
        if cue is not None:
            cs, ce = w.starts[cue[0]], w.ends[cue[1] - 1]
            rq.cue = (cs, ce)
            if text[cs:ce].lower().startswith("according"):
                rq.hint = "according_to"
            src = _nearest(srcs, cue[0], cue[1])
            if src is not None:
                ss, se = w.starts[src[0]], w.ends[src[1] - 1]
                rq.mention = u.doc.char_span(ss - u.start, se - u.start, alignment_mode="expand")
        rq.anchor = (rq.mention and u.abs(rq.mention[0])[0]) or (rq.cue[0] if rq.cue else s)
        if rq.mention is None:
            rq.hint = rq.hint or "carryover"
        if cue is not None:
            by_cue[cue] = rq
        out.append(rq)
    return out


# words before a quoted name or label: the company "calls" it “Project Horizon”
_NAMING = NAMING_BEFORE | {"call", "calls", "calling", "dub", "dubs", "dubbing", "name", "names",
                           "nicknames", "label", "labels", "brand", "brands", "term", "terms", "known"}


def _is_label(w: Words, a: int, b: int) -> bool:
    """A short quoted span right after a naming word is a name, not speech."""
    words = [k for k in range(a, b) if w.shapes[k] != SHAPE_QUOTE]
    if not words or len(words) > 4 or any(w.quote[k] != Q_IN for k in words):
        return False
    k = a - 1
    while k >= 0 and w.shapes[k] in (SHAPE_QUOTE, SHAPE_PUNCT):
        k -= 1
    return k >= 0 and w.texts[k].lower() in _NAMING


def _cue_between(prev_part: tuple[int, int], cue: tuple[int, int], w: Words, start: int) -> bool:
    return prev_part[1] <= w.starts[cue[0]] and w.ends[cue[1] - 1] <= start


def _nearest(cands: list[tuple[int, int]], a: int, b: int) -> Optional[tuple[int, int]]:
    best, dist = None, 10**9
    for c in cands:
        d = c[0] - b if c[0] >= b else a - c[1] if c[1] <= a else 0
        if d < dist:
            best, dist = c, d
    return best if dist <= 40 else None


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and (text[s].isspace() or text[s] in QUOTE_CHARS):
        s += 1
    while e > s and (text[e - 1].isspace() or text[e - 1] in QUOTE_CHARS or text[e - 1] in ",;:"):
        e -= 1
    return s, e
