"""Checking an article's quotes against the wire archive.

For one analysed article:

1. **Same-event wire items.** Items dated within ``window_days`` of the article (when
   both dates are known) that share the article's names (people, organisations, places:
   :mod:`attribution.match.event`), found through the archive's names index (FTS5, bm25)
   and, per quote, an FTS5 search of the wire quotes with the quote's rarer content
   words. An item must share at least ``min_shared_names`` names with the article: a
   story on another event that shares a phrase is not evidence.
2. **Candidates per quote.** Every quote and sentence of those items, ranked by shared
   content words (and MiniLM cosine when the archive has vectors); the best few are
   aligned word by word (:mod:`attribution.match.align`).
3. **Verdicts.** Each alignment is judged on its own (:func:`verdict.judge`) and the
   quote's verdict is decided over all wires (:func:`verdict.decide`); every judged wire
   text is kept as :class:`model.Evidence`.

Wire sentences stand in for reported speech the wire quote detector missed; a sentence's
speaker is the wire quote it contains, or the article speaker when the sentence names
them, else unknown (which can confirm or alter, never misattribute).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Optional, Sequence

from attribution.match.align import (
    STOPWORDS,
    align,
    content_bigrams,
    content_stems,
    fold,
    tokenize,
)
from attribution.match.event import names as name_phrases
from attribution.match.event import shared_names
from attribution.match.verdict import Comparison, decide, judge, norm_name, speaker_relation
from attribution.model import Analysis, CheckedQuote, Difference, Evidence, Quote

MAX_ALIGN = 8  # wire texts aligned per quote
MAX_EVIDENCE = 5


@dataclass
class _Cand:
    key: tuple  # ('q'|'s', rowid)
    item_id: str
    text: str  # the text compared (a sentence without its "X said" frame)
    start: int
    end: int
    speaker: str
    speaker_type: str
    kind: str  # wire quote kind, or 'sentence'
    stems: frozenset
    bigrams: frozenset = frozenset()


_FRAME_RE = re.compile(
    r"^(?:according to [^,\"“]{2,80},\s*"
    r"|[^\"“”«»]{2,120}?\b(?:said|says|told [^,\"“]{1,40}?|added|stated|announced|warned|insisted"
    r"|argued|claimed|noted|explained|confirmed|reported|estimated|acknowledged|admitted"
    r"|has said|had said|have said|described [^,\"“]{1,60}? as)\b(?:\s+(?:on|in) \w+)?,?\s+(?:that\s+)?)",
    re.I,
)
_TAIL_RE = re.compile(
    r"(?:,|,?[\"”»])\s*(?:according to [^,.]{2,80}|[^,.\"“”]{2,80}\s+(?:said|says|added|told [^,.]{2,60})"
    r"|(?:said|says|added|told)\s+[^\"“”]{2,120})\.?\s*$", re.I)
_QUOTE_CHARS = "\"“”«»„‹›'‘’ "


def strip_frame(text: str) -> tuple[int, int]:
    """The (start, end) of a sentence's reported clause inside `text` (whole text if none)."""
    s, e = 0, len(text)
    m = _FRAME_RE.match(text)
    if m and m.end() < len(text) - 10:
        s = m.end()
    t = _TAIL_RE.search(text, s)
    if t and t.start() > s + 10:
        e = t.start()
    while e > s and text[e - 1] in " .;:," + _QUOTE_CHARS:
        e -= 1
    while s < e and text[s] in _QUOTE_CHARS:
        s += 1
    return s, e


def _date_window(date: Optional[str], days: int) -> tuple[Optional[str], Optional[str]]:
    if not date or days is None or days < 0:
        return None, None
    try:
        d = _dt.date.fromisoformat(date[:10])
    except ValueError:
        return None, None
    return (d - _dt.timedelta(days=days)).isoformat(), (d + _dt.timedelta(days=days)).isoformat()


def _fts_query(text: str, max_terms: int = 12) -> str:
    words = []
    seen = set()
    for t in tokenize(text):
        if not t.is_word:
            continue
        for w in re.findall(r"\w+", fold(t.text)):
            if w in STOPWORDS or (len(w) < 3 and not w.isdigit()) or w in seen:
                continue
            seen.add(w)
            words.append(w)
    # the rarer words first: a cheap proxy is length, names and digits
    words.sort(key=lambda w: (-(any(ch.isdigit() for ch in w)), -len(w)))
    return " OR ".join(f'"{w}"' for w in words[:max_terms])


class Matcher:
    """Checks analyses against one store. Reuse it for many articles."""

    def __init__(self, store, *, window_days: int = 3, embed: Optional[bool] = None,
                 min_shared_names: int = 3, fts_route: bool = False):
        self.store = store
        self.window_days = window_days
        if embed is None:
            embed = bool(getattr(store, "has_embeddings", lambda: False)())
        self.embed = embed
        self.min_shared_names = min_shared_names
        self.fts_route = fts_route
        # wire texts without a stored vector are embedded at check time when there are at
        # most this many (an archive ingested without sentence vectors)
        self.embed_missing = 64
        self._embedder = None

    # ------------------------------------------------------------------ events

    def event_items(self, analysis: Analysis) -> dict:
        doc = analysis.document
        lo, hi = _date_window(doc.date, self.window_days)
        a_names = set(name_phrases(doc.title + "\n" + doc.text))
        for q in analysis.quotes:
            n = norm_name(q.speaker.name)
            if n and q.speaker.name[:1].isupper():
                a_names.add(n)
        found = {it.id: it for it in self.store.event_items(a_names, date_from=lo, date_to=hi)}
        if self.fts_route:
            extra = set()
            for q in analysis.quotes:
                query = _fts_query(q.text)
                if not query:
                    continue
                for sq in self.store.search_quotes(query, date_from=lo, date_to=hi, limit=10):
                    if sq.item_id not in found:
                        extra.add(sq.item_id)
            if extra:
                found.update(self.store.items(extra))
        out = {}
        for iid, it in found.items():
            shared = shared_names(a_names, set(it.names))
            # a short article or item has few names to share: ask for half of the smaller
            # side's names, but never fewer than two
            need = min(self.min_shared_names, max(2, min(len(a_names), len(it.names)) // 2))
            if len(shared) >= need:
                out[iid] = it
        return out

    # ------------------------------------------------------------------ candidates

    def _candidates(self, items: dict) -> list[_Cand]:
        ids = list(items)
        quotes = self.store.quotes_of(ids)
        sentences = self.store.sentences_of(ids)
        cands: list[_Cand] = []
        by_item: dict[str, list] = {}
        for q in quotes:
            by_item.setdefault(q.item_id, []).append(q)
            toks = tokenize(q.text)
            cands.append(_Cand(("q", q.rowid), q.item_id, q.text, q.start, q.end, q.speaker,
                               q.speaker_type, q.kind, frozenset(content_stems(toks)),
                               frozenset(content_bigrams(toks))))
        for s in sentences:
            fs, fe = strip_frame(s.text)
            text = s.text[fs:fe]
            if len(text) < 3:
                continue
            # a sentence inside a wire quote takes that quote's speaker
            spk, spk_type = "", "unknown"
            for q in by_item.get(s.item_id, ()):
                ov = min(q.end, s.end) - max(q.start, s.start)
                if ov > 0.5 * (s.end - s.start) or ov > 0.5 * max(1, q.end - q.start):
                    spk, spk_type = q.speaker, q.speaker_type
                    break
            toks = tokenize(text)
            cands.append(_Cand(("s", s.rowid), s.item_id, text, s.start + fs, s.start + fe,
                               spk, spk_type, "sentence", frozenset(content_stems(toks)),
                               frozenset(content_bigrams(toks))))
        seen = set()
        out = []
        for c in cands:  # a sentence that is exactly a wire quote: keep the quote
            k = (c.item_id, fold(c.text).strip(" .,\"'"))
            if k in seen:
                continue
            seen.add(k)
            out.append(c)
        return out

    def _embed(self, texts: Sequence[str]):
        if self._embedder is None:
            from attribution.wires.ingest import shared_embedder

            self._embedder = shared_embedder()
        return self._embedder.encode(list(texts))

    # ------------------------------------------------------------------ check

    def check(self, analysis: Analysis) -> tuple[CheckedQuote, ...]:
        if not analysis.quotes:
            return ()
        items = self.event_items(analysis)
        if not items:
            return tuple(CheckedQuote(q, "unverified", ()) for q in analysis.quotes)
        cands = self._candidates(items)
        cos = None
        if self.embed and cands:
            import numpy as np

            vecs = self.store.vectors_of(list(items))
            qv = self._embed([q.text for q in analysis.quotes])
            mat = np.zeros((len(cands), qv.shape[1]), dtype=np.float32)
            have = np.zeros(len(cands), dtype=bool)
            for n, c in enumerate(cands):
                b = vecs.get(c.key)
                if b is not None:
                    mat[n] = np.frombuffer(b, dtype=np.float32)
                    have[n] = True
            missing = [n for n in range(len(cands)) if not have[n]]
            if missing and len(missing) <= self.embed_missing:
                mat[missing] = self._embed([cands[n].text for n in missing])
            cos = qv @ mat.T  # (quotes, cands); 0 where a text has no vector
        out = []
        for qi, q in enumerate(analysis.quotes):
            out.append(self._check_quote(q, cands, items, None if cos is None else cos[qi]))
        return tuple(out)

    def _check_quote(self, q: Quote, cands: list[_Cand], items: dict, cos_row) -> CheckedQuote:
        qtoks = tokenize(q.text)
        qstems = content_stems(qtoks)
        qbigrams = content_bigrams(qtoks)
        scored = []
        for n, c in enumerate(cands):
            shared = len(qstems & c.stems)
            denom = max(1, min(len(qstems), len(c.stems)))
            ov = shared / denom
            cs = float(cos_row[n]) if cos_row is not None else None
            score = ov + (cs or 0.0) + 0.01 * shared
            if shared == 0 and (cs is None or cs < 0.5):
                continue
            scored.append((score, n, shared, ov, cs))
        scored.sort(reverse=True)
        comparisons = []
        speaker_name = q.speaker.name
        surname = _surname(speaker_name)
        a_pat = _speaker_pattern(speaker_name)
        for score, n, shared, ov, cs in scored[:MAX_ALIGN]:
            c = cands[n]
            wire_speaker, wire_type = c.speaker, c.speaker_type
            if c.kind == "sentence" and not wire_speaker and surname:
                item = items[c.item_id]
                ctx = fold(item.body[max(0, c.start - 300) : c.end + 120])
                if re.search(r"\b" + re.escape(surname) + r"\b", ctx):
                    wire_speaker = speaker_name
            if a_pat is not None and wire_speaker and _surname(wire_speaker) != surname:
                # the wire's own sentence names the article's speaker and not the wire
                # speaker (or only as a possessive: "Solbit's general counsel, Lee
                # Seung-min, said"): trust the sentence over the wire's speaker resolution
                ctx = _context(items[c.item_id].body, c.start, c.end)
                ws = _surname(wire_speaker)
                if a_pat.search(ctx) and not (
                        ws and re.search(r"\b" + re.escape(ws) + r"\b(?!'s)", ctx)):
                    wire_speaker, wire_type = speaker_name, q.speaker.type
            rel = speaker_relation(speaker_name, wire_speaker, q.speaker.type, wire_type)
            reported = q.kind == "indirect" or c.kind in ("indirect", "sentence")
            al = align(q.text, c.text, reported=reported)
            cmp = Comparison(al, ov, shared, cs, rel, "sentence" if c.kind == "sentence" else "quote",
                             shared_bigram=bool(qbigrams & c.bigrams))
            cmp.cand = c  # type: ignore[attr-defined]
            cmp.verdict = judge(cmp)
            comparisons.append(cmp)
        # a wire sentence inside a wire quote that was judged too: the quote is the better
        # unit (a sentence of a two-sentence quote can look like an excerpt with a change,
        # or a confirmation, that the whole quote does not bear out); when the quote as a
        # whole is no evidence, its sentences still can be (one sentence carried verbatim)
        quotes_seen = [cmp.cand for cmp in comparisons  # type: ignore[attr-defined]
                       if cmp.cand.kind != "sentence" and cmp.verdict]  # type: ignore[attr-defined]
        for cmp in comparisons:
            c = cmp.cand  # type: ignore[attr-defined]
            if c.kind == "sentence" and any(
                    w.item_id == c.item_id and w.start <= c.start and c.end <= w.end + 2 for w in quotes_seen):
                cmp.verdict = None
        verdict, best = decide(comparisons)
        judged = [c for c in comparisons if c.verdict]
        judged.sort(key=lambda c: (c is not best, _order(c.verdict), -c.closeness))
        evidence = []
        seen = set()
        for cmp in judged:
            c = cmp.cand  # type: ignore[attr-defined]
            if (c.item_id, c.start, c.end) in seen:
                continue
            seen.add((c.item_id, c.start, c.end))
            evidence.append(_evidence(q, cmp, items[c.item_id]))
            if len(evidence) >= MAX_EVIDENCE:
                break
        return CheckedQuote(q, verdict, tuple(evidence))


def _speaker_pattern(name: str):
    """A regex finding the speaker in folded wire text: the surname, or for a government
    its country, capital or a government word."""
    n = norm_name(name)
    if not n:
        return None
    if n.startswith("government of "):
        country = n[len("government of "):].replace("the ", "")
        alts = [re.escape(country)]
        try:
            from attribution.resolve.names import BUILDINGS, CAPITALS

            alts += [re.escape(k) for k, v in {**CAPITALS, **BUILDINGS}.items() if fold(v).replace("the ", "") == country]
        except ImportError:  # pragma: no cover
            pass
        alts.append(r"government|president'?s office|presidency|cabinet|prime minister'?s office")
        return re.compile(r"\b(?:" + "|".join(alts) + r")\b")
    sn = _surname(name)
    return re.compile(r"\b" + re.escape(sn) + r"\b") if sn else None


def _context(body: str, start: int, end: int) -> str:
    """The folded text of the sentence(s) around body[start:end] (the quote itself left out)."""
    lo = max(body.rfind("\n", 0, start), body.rfind(". ", 0, max(0, start - 2)) + 1, 0)
    hi_candidates = [i for i in (body.find("\n", end), body.find(". ", end)) if i >= 0]
    hi = min(hi_candidates) if hi_candidates else len(body)
    return fold(body[lo:start] + " " + body[end:hi])


def _order(v: Optional[str]) -> int:
    return {"confirmed": 0, "altered": 1, "paraphrased": 2, "misattributed": 3}.get(v or "", 9)


def _surname(name: str) -> str:
    n = norm_name(name)
    if not n or n.startswith("government of"):
        return ""
    parts = n.split()
    return parts[-1] if len(parts[-1]) > 2 else ""


def _evidence(q: Quote, cmp: Comparison, item) -> Evidence:
    c = cmp.cand  # type: ignore[attr-defined]
    diffs = [Difference(ch.op, ch.article, ch.wire, ch.kind) for ch in cmp.alignment.changes
             if ch.article or ch.wire]
    if cmp.speaker == "different":
        diffs.append(Difference("replace", q.speaker.name, c.speaker, "speaker"))
    return Evidence(
        wire_id=item.id, agency=item.agency, date=item.date, headline=item.headline,
        text=c.text, start=c.start, end=c.end, speaker=c.speaker,
        similarity=100.0 * cmp.alignment.closeness if cmp.alignment.matched else 0.0,
        verdict=cmp.verdict or "unverified", differences=tuple(diffs),
    )


def check_analysis(analysis: Analysis, store, *, window_days: int = 3,
                   embed: Optional[bool] = None) -> tuple[CheckedQuote, ...]:
    """The checked quotes of one analysed article (see :class:`Matcher`)."""
    return Matcher(store, window_days=window_days, embed=embed).check(analysis)
