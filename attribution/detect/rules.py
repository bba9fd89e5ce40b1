"""The rule detector: quote marks plus the dependency parse.

It finds quoted speech (direct, partial, split, multi-paragraph), reported
speech (a speech or belief verb with a content clause, "according to X"), and
for each the cue and the words naming the speaker. Who those words refer to is
the resolver's job (attribution.resolve).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

from attribution.detect.marks import QuotedRun, Segment, scan
from attribution.nlp import Unit

# verbs that introduce quoted words
CUE_VERBS = {
    "say", "tell", "add", "ask", "reply", "respond", "answer", "write", "tweet", "post",
    "state", "declare", "announce", "explain", "note", "insist", "warn", "argue", "claim",
    "continue", "conclude", "recall", "remark", "observe", "quip", "joke", "shout", "cry",
    "yell", "whisper", "admit", "acknowledge", "concede", "complain", "boast", "promise",
    "vow", "pledge", "predict", "describe", "call", "speak", "urge", "caution", "stress",
    "emphasise", "emphasize", "underline", "underscore", "reiterate", "repeat", "counter",
    "retort", "confirm", "deny", "suggest", "agree", "comment", "express", "testify", "plead",
    "demand", "interject", "put", "scoff", "sigh", "laugh", "muse", "wonder", "mutter",
    "proclaim", "assert", "maintain", "allege", "charge", "accuse", "threaten", "offer",
    "refer", "brand", "label", "dismiss", "hail", "praise", "criticise", "criticize",
    "condemn", "slam", "blast", "welcome", "tout", "pledge", "lament", "fume", "question",
    "point", "recount", "mention", "exclaim", "concede", "elaborate", "add", "summarize",
    "summarise", "acknowledge", "recall", "reason", "caution", "advise", "predict", "insist",
}
# verbs that report speech or thought with a content clause (indirect quotes)
REPORT_VERBS = CUE_VERBS - {"call", "describe", "speak", "refer", "brand", "label", "put",
                            "dismiss", "hail", "praise", "slam", "blast", "welcome", "offer",
                            "laugh", "sigh", "scoff"} | {
    "believe", "think", "feel", "hope", "fear", "expect", "estimate", "know", "learn",
    "find", "show", "indicate", "report", "reveal", "disclose", "signal", "hint", "imply",
    "worry", "doubt", "suspect", "assume", "guess", "realize", "realise", "understand",
    "recognize", "recognise", "contend", "point", "decide", "determine", "conclude",
    "forecast", "project", "acknowledge", "propose", "recommend", "request", "demand", "argue", "agree", "prove", "demonstrate",
    "suggest", "say", "tell", "notify", "inform", "assure", "remind", "convince", "persuade",
    "warn", "advise", "concede", "emphasize", "stress", "underline", "announce", "vow",
}
# attribution with an object for content: "announced his support", "called for a ban"
OBJECT_VERBS = {
    "announce", "promise", "vow", "pledge", "criticize", "criticise", "dismiss", "accuse",
    "reject", "support", "endorse", "back", "want", "urge", "ask", "call", "propose", "predict",
    "show", "deny", "testify", "demand", "oppose", "praise", "blame", "condemn", "defend",
    "welcome", "question", "threaten", "warn", "suggest", "recommend", "estimate", "confirm",
    "acknowledge", "admit", "describe", "cite", "highlight", "tout", "argue", "insist", "hope",
    "expect", "plan", "intend", "refuse", "decline", "seek", "favor", "favour", "applaud",
    "attack", "slam", "blast", "mock", "reveal", "disclose", "report", "claim", "allege",
}
# nouns that carry a claim in a that-clause: "Trump's claim that …", "the warning by X that …"
NOUN_CUES = {
    "claim", "assertion", "argument", "statement", "contention", "insistence", "suggestion", "belief",
    "view", "promise", "pledge", "warning", "allegation", "accusation", "charge", "remark", "comment",
    "prediction", "assessment", "admission", "denial", "announcement", "message", "proposal", "concern",
    "fear", "hope", "conclusion", "finding", "estimate", "testimony", "acknowledgment", "acknowledgement",
    "recommendation", "vow", "boast", "complaint", "explanation", "speculation", "assurance", "threat",
    "insinuation", "implication", "declaration", "confirmation", "observation", "opinion", "position",
}
# naming, not speech: the quoted words are a label
NAMING_BEFORE = {"the", "a", "an", "so-called", "dubbed", "nicknamed", "named", "titled",
                 "labelled", "labeled", "branded", "termed", "called", "as", "its", "their",
                 "his", "her", "our", "this", "that", "these", "those", "word", "term"}
SENT_END = {".", "!", "?", ";"}
QUOTE_CHARS = set("“”„«»\"‹›‘’‚'") | {"''", "``"}


@dataclass
class RawQuote:
    kind: str
    parts: list[tuple[int, int]]
    cue: Optional[tuple[int, int]] = None
    mention: Optional[Any] = None  # spaCy Span naming the speaker at the cue
    unit: Optional[Unit] = None  # the unit the mention/cue is in
    hint: Optional[str] = None  # "according_to" | "carryover"
    anchor: int = 0  # where the speaker is named (for antecedents of pronouns and roles)

    @property
    def start(self) -> int:
        return self.parts[0][0]


def _content_words(text: str) -> list[str]:
    return re.findall(r"[\w'’-]+", text)


class RuleDetector:
    """Quotes and reported speech by rules.

    `broad=True` also reports attributions whose content is an object rather than a
    clause ("announced his support for X", "called for a ban"): PolNeAR annotates
    those; a newsroom check of quotes usually does not want them.
    """

    def __init__(self, broad: bool = False):
        self.broad = broad
        self.name = "rules-broad" if broad else "rules"

    def detect(self, text: str, units: list[Unit]) -> list[RawQuote]:
        runs = scan(text, [(u.start, u.end) for u in units])
        by_unit: dict[int, list[Segment]] = {}
        for run in runs:
            for seg in run.segments:
                by_unit.setdefault(seg.para, []).append(seg)
        quoted = _QuoteMask(by_unit)
        found: list[RawQuote] = []
        last_in_unit: dict[int, tuple[RawQuote, Segment]] = {}
        for run in runs:
            rq = self._quoted(text, units, run, by_unit, quoted, last_in_unit)
            if rq is None:
                continue
            if rq.kind == "split":
                continue  # merged into the earlier quote in place
            found.append(rq)
            last_seg = run.segments[-1]
            last_in_unit[last_seg.para] = (rq, last_seg)
        for u in units:
            found.extend(self._reported(text, u, quoted))
            line = _colon_line(text, u, quoted)
            if line is not None:
                found.append(line)
        found.sort(key=lambda q: (q.start, q.kind != "indirect"))
        return found

    # quoted speech -----------------------------------------------------------

    def _quoted(self, text, units, run: QuotedRun, by_unit, quoted, last_in_unit) -> Optional[RawQuote]:
        first, last = run.segments[0], run.segments[-1]
        u_first, u_last = units[first.para], units[last.para]
        parts = [(s.start, s.end) for s in run.segments]
        lead = _lead_tokens(u_first, first, by_unit)
        trail = _trail_tokens(u_last, last, by_unit)
        trail_cue = _find_cue(trail, quoted, u_last)
        if trail_cue is not None and trail and text[last.end - 1] == "." and trail[0].text[:1].isupper() \
                and trail_cue.i - trail[0].i > 4:
            trail_cue = None  # a new sentence that happens to hold a speech verb
        lead_text = "".join(t.text_with_ws for t in lead).strip()

        # `"A," X said, "B."` and `"A," X said. "B."`: the second piece of a split quote
        prev = last_in_unit.get(first.para)
        if prev is not None and trail_cue is None:
            prev_q, prev_seg = prev
            if (
                prev_q.kind in ("direct", "split")
                and prev_q.cue is not None
                and prev_seg.after <= prev_q.cue[0]
                and prev_q.cue[1] <= first.open_at
                and _only_the_cue_between(u_first, prev_seg.after, first.open_at)
                and not _DASH.fullmatch(text, prev_q.cue[0], prev_q.cue[1])  # “A” ― X / “B” ― Y: two signed quotes
            ):
                prev_q.kind = "multi_paragraph" if run.multi_paragraph else "split"
                prev_q.parts.extend(parts)
                return RawQuote(kind="split", parts=parts)

        words = _content_words(text[parts[0][0] : parts[-1][1]])
        if run.multi_paragraph:
            rq = RawQuote(kind="multi_paragraph", parts=parts)
            if trail_cue is not None:
                return _attach(rq, trail_cue, u_last)
            lead_cue = _find_cue(lead, quoted, u_first, last=True) if lead_text.endswith((":", ",")) else None
            if lead_cue is not None:
                return _attach(rq, lead_cue, u_first)
            intro = _intro_from_previous(units, first, quoted)
            if intro is not None:
                return _attach(rq, intro[0], intro[1])
            rq.hint = "carryover"
            rq.anchor = first.open_at
            return rq

        sentence_initial = lead_text == "" or lead_text[-1:] in ".!?" or lead_text.endswith(("”", "\"", "»")) \
            or _line_start(text, first.open_at)
        if sentence_initial:
            rq = RawQuote(kind="direct", parts=parts)
            if trail_cue is not None:
                return _attach(rq, trail_cue, u_last)
            if lead_text == "" and _at_unit_start(text, u_first, first):
                intro = _intro_from_previous(units, first, quoted)
                if intro is not None:
                    return _attach(rq, intro[0], intro[1])
            dash = _dash_speaker(u_last, last)
            if dash is not None:  # “…” ― Name: a signed quote
                rq.cue, rq.mention, rq.unit = dash
                rq.anchor = u_last.abs(rq.mention[0])[0]
                return rq
            if len(words) < 3:
                return None
            rq.hint = "carryover"
            rq.anchor = first.open_at
            return rq

        # introduced within the sentence: `X said: "…"`, `X said "…"`, or a fragment
        if lead_text.endswith((":", ",")):
            lead_cue = _find_cue(lead, quoted, u_first, last=True)
            if lead_cue is not None:
                return _attach(RawQuote(kind="direct", parts=parts), lead_cue, u_first)
            named = _colon_speaker(lead)
            if named is not None:
                rq = RawQuote(kind="direct", parts=parts, mention=named, unit=u_first)
                colon = lead[-1]
                rq.cue = u_first.abs(colon)
                rq.anchor = u_first.abs(named[0])[0]
                return rq
        if _is_label(text, first, lead, words, u_first):
            return None
        gov = _governing_verb(u_first, first, quoted)
        if gov is None and trail_cue is not None and len(words) >= 4:
            gov = trail_cue
        if gov is None:
            gov = _find_cue(lead, quoted, u_first, last=True)
        if gov is None:
            return None
        return _attach(RawQuote(kind="partial", parts=parts), gov, u_first)

    # reported speech ---------------------------------------------------------

    def _reported(self, text: str, u: Unit, quoted: "_QuoteMask") -> list[RawQuote]:
        out: list[RawQuote] = []
        doc = u.doc
        for tok in doc:
            if quoted.inside(u, tok):
                continue
            if tok.lower_ == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to":
                rq = self._according(text, u, tok, quoted)
                if rq is not None:
                    out.append(rq)
                continue
            lemma = tok.lemma_.lower()
            if tok.pos_ == "NOUN" and lemma in NOUN_CUES:
                rq = _noun_claim(u, tok, quoted)
                if rq is not None and not any(q.parts[0][0] <= rq.cue[0] < q.parts[0][1] for q in out):
                    out.append(rq)
                continue
            if tok.pos_ not in ("VERB", "AUX"):
                continue
            if not (lemma in REPORT_VERBS or self.broad and (lemma in OBJECT_VERBS or _finite_clause_after(tok))):
                continue
            needs_verb = True
            comps = [c for c in tok.children if c.dep_ == "ccomp"]
            comp = next((c for c in comps if c.i > tok.i), None)
            if comp is not None:
                spans = [_clean_content(doc, comp.left_edge.i, _cut_conjoined(tok, comp.left_edge.i, comp.right_edge.i + 1))]
            elif lemma in PARENTHETICAL and _cue_clause(tok) is not None:
                # "…, officials said" / "X, he said, Y": the sentence around the cue clause
                spans = _around_cue(tok)
            else:
                objs = [c for c in tok.children if c.i > tok.i and (
                    c.dep_ in ("dobj", "xcomp") or c.dep_ == "prep" and c.lower_ in ("for", "about", "of", "on"))]
                if not objs or not self.broad or lemma not in OBJECT_VERBS:
                    continue
                hi = max(o.right_edge.i for o in objs) + 1
                spans = [_clean_content(doc, objs[0].left_edge.i, _cut_conjoined(tok, objs[0].left_edge.i, hi))]
                needs_verb = False
            spans = [sp for sp in spans if sp is not None and sp.end - sp.start >= 2]
            if not spans:
                continue
            if needs_verb and not any(t.pos_ in ("VERB", "AUX") for sp in spans for t in sp):
                continue
            parts = [(u.abs(sp[0])[0], u.abs(sp[-1])[1]) for sp in spans]
            framed = comp is None and spans[0][0].text not in QUOTE_CHARS
            if not framed and sum(quoted.coverage(u, a, b) * (b - a) for a, b in parts) >= 0.5 * sum(
                    b - a for a, b in parts):
                continue  # a quote carries it: its cue, not a separate claim
            if any(q.parts[0][0] <= u.abs(tok)[0] < q.parts[0][1] for q in out):
                continue  # nested report inside a reported clause: PolNeAR keeps the outer one
            rq = _attach(RawQuote(kind="indirect", parts=parts), tok, u)
            if rq.mention is None:
                continue  # imperative ("please note that …"): nobody is reported
            out.append(rq)
        return out

    def _according(self, text: str, u: Unit, tok, quoted) -> Optional[RawQuote]:
        doc = u.doc
        to = doc[tok.i + 1]
        obj_toks = [c for c in to.children if c.dep_ == "pobj"]
        if obj_toks:
            o = obj_toks[0]
            src = doc[o.left_edge.i : o.right_edge.i + 1]
        else:
            j = tok.i + 2
            while j < len(doc) and not doc[j].is_punct:
                j += 1
            if j == tok.i + 2:
                return None
            src = doc[tok.i + 2 : j]
        sent = tok.sent
        phrase_lo, phrase_hi = tok.i, src.end
        before = (sent.start, phrase_lo)
        after = (phrase_hi, sent.end)
        lo, hi = after if (after[1] - after[0]) >= (before[1] - before[0]) else before
        span = _clean_content(doc, lo, hi)
        if span is None or span.end - span.start < 3:
            return None
        s, e = u.abs(span[0])[0], u.abs(span[-1])[1]
        if quoted.coverage(u, s, e) >= 0.5:
            return None
        cue = (u.abs(tok)[0], u.abs(to)[1])
        rq = RawQuote(kind="indirect", parts=[(s, e)], cue=cue, mention=src, unit=u,
                      hint="according_to", anchor=u.abs(src[0])[0])
        return rq


class _QuoteMask:
    """Which characters of each unit lie inside quote marks (marks included)."""

    def __init__(self, by_unit: dict[int, list[Segment]]):
        self.ranges = {
            p: [(s.open_at, s.after) for s in segs]
            for p, segs in by_unit.items()
        }

    def inside(self, u: Unit, tok) -> bool:
        a, b = u.abs(tok)
        return any(lo <= a and b <= hi for lo, hi in self.ranges.get(u.index, ()))

    def coverage(self, u: Unit, s: int, e: int) -> float:
        if e <= s:
            return 0.0
        cov = sum(max(0, min(e, hi) - max(s, lo)) for lo, hi in self.ranges.get(u.index, ()))
        return cov / (e - s)


def _lead_tokens(u: Unit, seg: Segment, by_unit) -> list:
    """Tokens of the same sentence before the opening mark, back to the previous quote."""
    end_i = u.tok_at(seg.open_at)  # first token ending after the mark = the mark itself
    prev_close = max(
        [s.after - 1 for s in by_unit.get(seg.para, ()) if s.after <= seg.open_at],
        default=u.start - 1,
    )
    toks = []
    i = end_i - 1
    doc = u.doc
    while i >= 0:
        t = doc[i]
        a, _ = u.abs(t)
        if a <= prev_close:
            break
        if t.text in SENT_END and toks:
            break
        toks.append(t)
        if t.text in SENT_END:
            break
        i -= 1
    toks.reverse()
    return toks


def _trail_tokens(u: Unit, seg: Segment, by_unit) -> list:
    """Tokens after the closing mark up to the sentence end or the next quote."""
    if seg.close_at is None:
        return []
    nxt = min([s.open_at for s in by_unit.get(seg.para, ()) if s.open_at > seg.close_at], default=u.end)
    doc = u.doc
    i = u.tok_at(seg.after)
    toks = []
    while i < len(doc):
        t = doc[i]
        a, _ = u.abs(t)
        if a >= nxt:
            break
        if t.text in QUOTE_CHARS and a < seg.after:
            i += 1
            continue
        if t.text in SENT_END:
            break
        toks.append(t)
        i += 1
    return toks


def _find_cue(toks: list, quoted: _QuoteMask, u: Unit, last: bool = False):
    """The first cue word (the last one, for the words before a quote)."""
    for t in reversed(toks) if last else toks:
        if quoted.inside(u, t):
            continue
        if t.lower_ == "according" and t.i + 1 < len(t.doc) and t.doc[t.i + 1].lower_ == "to":
            return t
        if t.lemma_.lower() in CUE_VERBS and t.pos_ in ("VERB", "AUX"):
            return t
    return None


def _governing_verb(u: Unit, seg: Segment, quoted: _QuoteMask):
    """The speech verb outside the quote whose clause contains the quoted fragment."""
    i = u.tok_at(seg.start)
    if i >= len(u.doc):
        return None
    tok = u.doc[i]
    seen = 0
    while tok.head is not tok and seen < 12:
        tok = tok.head
        seen += 1
        if quoted.inside(u, tok):
            continue
        if tok.lemma_.lower() in CUE_VERBS | REPORT_VERBS and tok.pos_ in ("VERB", "AUX"):
            # "X said he expects them to 'act'": the report of the report is the attribution
            while tok.dep_ == "ccomp" and tok.head.lemma_.lower() in CUE_VERBS and tok.head.pos_ == "VERB" \
                    and not quoted.inside(u, tok.head):
                tok = tok.head
            return tok
    return None


def _only_the_cue_between(u: Unit, lo: int, hi: int) -> bool:
    """Between two quoted pieces, one short cue clause and nothing else."""
    toks = [t for t in u.doc[u.tok_at(lo) : u.tok_at(hi)] if not t.is_space and t.text not in QUOTE_CHARS]
    if not toks or len(toks) > 60:
        return False
    ends = [i for i, t in enumerate(toks) if t.text in SENT_END]
    return not ends or ends == [len(toks) - 1]


def _finite_clause_after(verb) -> bool:
    """A finite content clause with its own subject after the verb ("polls show that …")."""
    if verb.lemma_.lower() in ("be", "have", "do", "make", "get", "go", "take"):
        return False
    for c in verb.children:
        if c.dep_ == "ccomp" and c.i > verb.i:
            if any(g.dep_ in ("nsubj", "nsubjpass") for g in c.children) and (
                c.tag_ in ("VBD", "VBZ", "VBP") or any(g.tag_ == "MD" or g.dep_ == "aux" for g in c.children)
            ):
                return True
    return False


# a line that signs a quote: “…” ― Name
_DASH = re.compile(r"[ \t\u00a0]*[―—–]{1,2}[ \t\u00a0]*")
# words that open a "Label: text" line without naming anyone
_LINE_LABELS = {"note", "notes", "update", "updated", "photo", "photos", "video", "watch", "read", "related",
                "source", "sources", "credit", "credits", "correction", "warning", "breaking", "listen",
                "subscribe", "advertisement", "topics", "tags", "by", "editor", "editors", "q", "a", "question",
                "answer", "live", "opinion", "analysis", "exclusive", "factbox", "explainer", "timeline",
                "graphic", "map", "more", "see", "also", "contact", "email", "tel", "phone", "fax", "web"}


def _line_start(text: str, at: int) -> bool:
    """Only spaces between `at` and the line break before it (a line of its own)."""
    i = at - 1
    while i >= 0 and text[i] in " \t\u00a0":
        i -= 1
    return i >= 0 and text[i] == "\n"


def _dash_speaker(u: Unit, seg: Segment):
    """(cue, mention, unit) when the quote's closing mark is followed by a dash and a name
    that ends its line: `“We will not go back.” ― Ana Ruiz`."""
    if seg.close_at is None:
        return None
    text = u.doc.text
    pos = seg.close_at + seg.close_len - u.start
    m = _DASH.match(text, pos)
    if m is None or not m.group().strip():
        return None
    k = u.tok_at(u.start + m.end())
    doc = u.doc
    if k >= len(doc) or doc[k].idx < m.end():
        return None
    j = k
    while j < len(doc) and j - k < 5 and doc[j].text[:1].isupper() and doc[j].is_alpha:
        j += 1
    if j == k or j - k > 4:
        return None
    after = text[doc[j - 1].idx + len(doc[j - 1].text) :].split("\n", 1)[0].strip()
    if after and after[0] not in ",.;(":
        return None
    dash = m.group().strip()
    cs = u.start + m.start() + m.group().index(dash[0])
    return (cs, cs + len(dash)), doc[k:j], u


def _colon_line(text: str, u: Unit, quoted) -> Optional[RawQuote]:
    """`PENCE: Well, look, …` (a transcript) or `Pat Caddell: Voters Worried …` (a headline):
    a line that opens with a name and a colon reports what that speaker said. The name must be
    a person or organisation to spaCy, or a one-word name in capitals; the rest of the line,
    unless quote marks already carry it, is the content."""
    doc = u.doc
    i = 0
    while i < len(doc) and doc[i].text in QUOTE_CHARS:
        i += 1
    j = i
    while j < len(doc) and j - i < 5 and doc[j].text != ":":
        j += 1
    if j >= len(doc) or doc[j].text != ":" or j == i or j - i > 4:
        return None
    name = doc[i:j]
    if any(not (t.text[:1].isupper() and t.is_alpha) for t in name) or name[0].lower_ in _LINE_LABELS:
        return None
    capitals = len(name) == 1 and name[0].text.isupper() and len(name[0].text) > 1
    if not capitals and not all(t.ent_type_ in ("PERSON", "ORG") for t in name):
        return None
    k = j + 1
    while k < len(doc) and (doc[k].is_space or doc[k].text in QUOTE_CHARS):
        k += 1
    end = len(doc)
    while end > k and (doc[end - 1].is_space or doc[end - 1].text in QUOTE_CHARS):
        end -= 1
    if end - k < 3:
        return None
    a, b = u.abs(doc[k])[0], u.abs(doc[end - 1])[1]
    if quoted.coverage(u, a, b) >= 0.5:
        return None  # `Sanders: "…"`: the quoted-speech rules have it
    rq = RawQuote(kind="indirect", parts=[(a, b)], cue=u.abs(doc[j]), mention=name, unit=u)
    rq.anchor = u.abs(name[0])[0]
    return rq


def _noun_claim(u: Unit, noun, quoted) -> Optional[RawQuote]:
    """`X's claim that …` / `the warning by X that …`: the that-clause is what X said; the
    possessor (or the agent after "by") is the speaker. No speaker named: no claim."""
    doc = u.doc
    clause = next((c for c in noun.children if c.i > noun.i and c.dep_ in ("acl", "ccomp")
                   and c.left_edge.lower_ == "that" and c.left_edge.dep_ == "mark"), None)
    if clause is None:
        return None
    src = None
    poss = next((c for c in noun.children if c.dep_ == "poss"), None)
    if poss is not None:
        lo, hi = poss.left_edge.i, poss.right_edge.i + 1
        while hi > lo and doc[hi - 1].dep_ == "case":
            hi -= 1
        src = doc[lo:hi] if hi > lo else None
    else:
        by = next((c for c in noun.children if c.dep_ == "prep" and c.lower_ == "by" and c.i < clause.i), None)
        obj = next((c for c in by.children if c.dep_ == "pobj"), None) if by is not None else None
        if obj is not None:
            src = doc[obj.left_edge.i : obj.right_edge.i + 1]
    if src is None or src.root.pos_ not in ("PROPN", "NOUN", "PRON") or src.root.lower_ in ("its",):
        return None
    sp = _clean_content(doc, clause.left_edge.i, clause.right_edge.i + 1)
    if sp is None or sp.end - sp.start < 3 or not any(t.pos_ in ("VERB", "AUX") for t in sp):
        return None
    a, b = u.abs(sp[0])[0], u.abs(sp[-1])[1]
    if quoted.inside(u, noun) or quoted.coverage(u, a, b) >= 0.5:
        return None
    rq = RawQuote(kind="indirect", parts=[(a, b)], cue=u.abs(noun), mention=_trim_mention(src), unit=u)
    if rq.mention is None:
        return None
    rq.anchor = u.abs(rq.mention[0])[0]
    return rq


def _colon_speaker(lead: list):
    """`Sanders: "…"`: a short name before a colon introduces the quote."""
    if len(lead) < 2 or lead[-1].text != ":":
        return None
    np = lead[:-1]
    if len(np) > 6 or not any(t.ent_type_ in ("PERSON", "ORG") or t.pos_ == "PROPN" for t in np):
        return None
    if any(t.pos_ in ("VERB", "AUX") for t in np):
        return None
    doc = np[0].doc
    return doc[np[0].i : np[-1].i + 1]


def _is_label(text: str, seg: Segment, lead: list, words: list[str], u: Unit) -> bool:
    """A title, nickname, label or scare term in quote marks, not speech."""
    n = len(words)
    if n == 0:
        return True
    alpha = [w for w in words if w[:1].isalpha()]
    small = {"of", "the", "and", "for", "in", "on", "a", "an", "to", "de", "la"}
    if alpha and n <= 6 and all(w[:1].isupper() or w.lower() in small for w in alpha):
        if n <= 2 or sum(w[:1].isupper() for w in alpha) >= 2:
            return True
    prev = lead[-1].lower_ if lead else ""
    if n <= 4 and prev in NAMING_BEFORE:
        return True
    if n <= 3 and seg.close_at is not None:
        j = u.tok_at(seg.after)
        if j < len(u.doc) and u.doc[j].pos_ in ("NOUN", "PROPN") and text[seg.after : seg.after + 1] == " ":
            return True
    return False


def _at_unit_start(text: str, u: Unit, seg: Segment) -> bool:
    return text[u.start : seg.open_at].strip() == ""


def _intro_from_previous(units: list[Unit], seg: Segment, quoted: _QuoteMask):
    """`X said:` ending the paragraph before a quote that opens the next one."""
    if seg.para == 0:
        return None
    prev = units[seg.para - 1]
    doc = prev.doc
    if len(doc) == 0 or doc[-1].text != ":":
        return None
    toks = list(doc[-1].sent)
    cue = None
    for t in reversed(toks):
        if t.lemma_.lower() in CUE_VERBS and t.pos_ in ("VERB", "AUX") and not quoted.inside(prev, t):
            cue = t
            break
    if cue is None:
        return None
    return cue, prev


PARENTHETICAL = {"say", "tell", "add", "write", "note", "argue", "insist", "explain", "claim",
                 "warn", "acknowledge", "concede", "predict", "report", "believe", "think",
                 "contend", "maintain", "suggest", "estimate", "recall", "reply", "admit"}
CLAUSE_STOP = {",", "—", "–", "--", ";", ":", "(", ")"}


def _cue_clause(verb):
    """(lo, hi) of a short parenthetical or trailing cue clause: ", he said," / ", said X."."""
    doc, sent = verb.doc, verb.sent
    lo = verb.i
    while lo - 1 >= sent.start and doc[lo - 1].text not in CLAUSE_STOP and doc[lo - 1].text not in QUOTE_CHARS:
        lo -= 1
    hi = verb.i + 1
    while hi < sent.end and doc[hi].text not in CLAUSE_STOP and doc[hi].text not in SENT_END \
            and doc[hi].text not in QUOTE_CHARS:
        hi += 1
    # ", said the company's chief executive, John Smith." : the apposition belongs to it
    if hi < sent.end and doc[hi].text == "," and lo == verb.i:
        k = hi + 1
        while k < sent.end and doc[k].text not in CLAUSE_STOP and doc[k].text not in SENT_END:
            k += 1
        if k - hi <= 6 and (k >= sent.end or doc[k].text in SENT_END):
            hi = k
    if lo <= sent.start or hi - lo > 12 or doc[lo - 1].text != ",":
        return None
    if doc[sent.start].text in QUOTE_CHARS:
        return None  # a direct quote's own cue
    subj = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    if not subj or not (lo <= subj[0].i < hi):
        return None
    return lo, hi


def _around_cue(verb) -> list:
    cl = _cue_clause(verb)
    if cl is None:
        return []
    doc, sent = verb.doc, verb.sent
    lo, hi = cl
    out = [_clean_content(doc, sent.start, lo)]
    if hi < sent.end and doc[hi].text not in SENT_END:
        out.append(_clean_content(doc, hi, sent.end))
    return [sp for sp in out if sp is not None]


def _cut_conjoined(verb, lo: int, hi: int) -> int:
    """End of a content clause before a second predicate of the speaker's.

    "said she admires him and praised the plan": the parser often hangs "praised"
    inside the reported clause; a subjectless verb in the cue's own tense, or a
    ", noting …" participle, belongs to the speaker, not to what was said.
    """
    doc = verb.doc
    cut = hi
    for t in doc[lo:hi]:
        if t.i == lo or t.dep_ not in ("conj", "advcl") or t.pos_ != "VERB":
            continue
        if any(c.dep_ in ("nsubj", "nsubjpass") for c in t.children):
            continue
        same_tense = t.dep_ == "conj" and t.tag_ == verb.tag_ and t.head.tag_ != verb.tag_
        participle = t.dep_ == "advcl" and t.tag_ == "VBG" and doc[t.left_edge.i - 1].text == ","
        if same_tense or participle:
            cut = min(cut, t.left_edge.i)
    return cut


def _clean_content(doc, lo: int, hi: int):
    """Trim a content clause: no complementiser, no edge punctuation or conjunctions."""
    while lo < hi and (doc[lo].is_punct or doc[lo].is_space or doc[lo].lower_ in ("that", "and", "but")
                       and doc[lo].dep_ in ("mark", "cc")):
        lo += 1
    while hi > lo and (doc[hi - 1].is_punct and doc[hi - 1].text not in QUOTE_CHARS | {")", "]"}
                       or doc[hi - 1].is_space):
        hi -= 1
    if hi <= lo:
        return None
    return doc[lo:hi]


def _subject(verb):
    """The words naming who speaks, for a cue verb."""
    v = verb
    if verb.dep_ == "advcl" and verb.tag_ == "VBG" and verb.left_edge.i == verb.i and verb.i > 0 \
            and verb.doc[verb.i - 1].text == "," and verb.head.dep_ in ("ccomp", "relcl", "advcl", "conj"):
        # "X said that Y …, adding …": a trailing participle belongs to the main clause,
        # though the parser hangs it on the reported (or a relative) clause
        v = verb.sent.root
        if v is verb:
            v = verb.head
    for _ in range(3):
        subj = [c for c in v.children if c.dep_ in ("nsubj", "nsubjpass", "csubj")]
        if subj and subj[0].dep_ == "nsubjpass":
            # "was told by officials" names the source; "is expected to" names none
            agent = [g for c in v.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
            if agent:
                a = agent[0]
                return a.doc[a.left_edge.i : a.right_edge.i + 1]
            return None
        if subj:
            s = subj[0]
            return s.doc[s.left_edge.i : s.right_edge.i + 1]
        if v.dep_ in ("conj", "xcomp", "advcl", "ccomp", "relcl", "acl") and v.head is not v:
            if v.dep_ == "relcl":
                return v.head.doc[v.head.i : v.head.i + 1]
            if v.dep_ == "conj":
                # "said the economy would rebound and praised …": the parser hangs the
                # second predicate inside the reported clause; climb to its real peer
                h = v.head
                while h.tag_ != v.tag_ and h.dep_ in ("ccomp", "xcomp", "conj") and h.head is not h:
                    h = h.head
                v = h if h.tag_ == v.tag_ else v.head
                continue
            v = v.head
            continue
        break
    return None


INVERTING = {"say", "add", "tell", "ask", "write", "continue", "reply", "explain", "note", "insist",
             "warn", "argue", "declare", "recall", "conclude", "observe", "remark", "answer"}


def _mention_near(verb):
    """Fallback when the parse gives no subject: the noun phrase beside the cue."""
    doc = verb.doc
    # "…," said Vladimir Putin
    j = verb.i + 1
    toks = []
    while j < len(doc) and (doc[j].pos_ in ("PROPN", "NOUN", "DET", "ADJ", "PRON") or doc[j].text in ("'s", "’s")):
        toks.append(doc[j])
        j += 1
    if toks and verb.lemma_.lower() in INVERTING and any(t.pos_ in ("PROPN", "NOUN", "PRON") for t in toks) \
            and (j >= len(doc) or doc[j].is_punct):
        return doc[toks[0].i : toks[-1].i + 1]
    # a name earlier in the sentence that the parse did not make the subject
    for ent in verb.sent.ents:
        if ent.label_ in ("PERSON", "ORG") and ent.end <= verb.i:
            return ent
    j = verb.i - 1
    toks = []
    while j >= 0 and (doc[j].pos_ in ("PROPN", "NOUN", "DET", "ADJ", "PRON", "PART") or doc[j].text in ("'s", "’s")):
        if doc[j].pos_ == "PART" and doc[j].text not in ("'s", "’s"):
            break
        toks.append(doc[j])
        j -= 1
    if toks:
        toks.reverse()
        return doc[toks[0].i : toks[-1].i + 1]
    return None


def _trim_mention(span):
    """The source noun phrase, cut before the quote or a relative clause."""
    if span is None:
        return None
    doc = span.doc
    lo, hi = span.start, span.end
    for t in span:
        if t.text in QUOTE_CHARS:
            if t.i == lo:
                lo += 1
                continue
            hi = t.i
            break
    hi = _cut_modifiers(doc, lo, hi)
    while lo < hi and (doc[lo].is_punct or doc[lo].is_space):
        lo += 1
    while hi > lo and (doc[hi - 1].is_punct or doc[hi - 1].is_space):
        hi -= 1
    if hi <= lo:
        return None
    return doc[lo:hi]


def _cut_modifiers(doc, lo: int, hi: int) -> int:
    """End of a mention before a participle phrase that says what the speaker was doing.

    "Sen. X, appearing on Fox News, said": the phrase after the comma is circumstance,
    not part of the name. (Relative clauses stay: PolNeAR keeps "X, who …" in sources.)
    """
    for t in doc[lo:hi]:
        if t.i <= lo or not (lo <= t.head.i < t.i):
            continue
        edge = t.left_edge.i
        if edge <= lo or doc[edge - 1].text != ",":
            continue
        if t.dep_ in ("acl", "advcl") and t.tag_ == "VBG" and edge == t.i:
            return edge
    return hi


def _cue_span(verb, u: Unit) -> tuple[int, int]:
    doc = verb.doc
    lo = verb.i
    while lo > 0 and doc[lo - 1].dep_ in ("aux", "auxpass", "neg") and doc[lo - 1].head is verb:
        lo -= 1
    hi = verb.i + 1
    if hi < len(doc) and doc[hi].dep_ == "prt" and doc[hi].head is verb:
        hi += 1
    return u.abs(doc[lo])[0], u.abs(doc[hi - 1])[1]


def _in_parts(rq: RawQuote, u: Unit, span) -> bool:
    a, b = u.abs(span[0])[0], u.abs(span[-1])[1]
    return any(s < b and a < e for s, e in rq.parts)


def _mention_outside(verb, u: Unit, rq: RawQuote):
    """The noun phrase right before or after the cue, outside the quoted words."""
    doc = verb.doc

    def ok(t):
        return not _in_parts(rq, u, doc[t.i : t.i + 1]) and t.text not in QUOTE_CHARS and (
            t.pos_ in ("PROPN", "NOUN", "DET", "ADJ", "PRON", "NUM") or t.text in ("'s", "’s", "."))

    j = verb.i - 1
    while j >= 0 and doc[j].dep_ in ("aux", "auxpass", "neg", "advmod") and doc[j].head is verb:
        j -= 1
    left = []
    while j >= 0 and ok(doc[j]):
        left.append(doc[j])
        j -= 1
    if any(t.pos_ in ("PROPN", "NOUN", "PRON") for t in left):
        return doc[left[-1].i : left[0].i + 1]
    j = verb.i + 1
    right = []
    while j < len(doc) and ok(doc[j]) and doc[j].text != ".":
        right.append(doc[j])
        j += 1
    if any(t.pos_ in ("PROPN", "NOUN", "PRON") for t in right):
        return doc[right[0].i : right[-1].i + 1]
    return None


def _attach(rq: RawQuote, verb, u: Unit) -> RawQuote:
    """Give a quote its cue and the mention of its speaker."""
    rq.unit = u
    doc = verb.doc
    if verb.lower_ == "according" and verb.i + 1 < len(doc) and doc[verb.i + 1].lower_ == "to":
        to = doc[verb.i + 1]
        objs = [c for c in to.children if c.dep_ == "pobj"]
        if objs:
            o = objs[0]
            rq.mention = doc[o.left_edge.i : o.right_edge.i + 1]
        else:
            rq.mention = _mention_near(to)
        rq.cue = (u.abs(verb)[0], u.abs(to)[1])
        rq.hint = "according_to"
    else:
        rq.cue = _cue_span(verb, u)
        rq.mention = _trim_mention(_subject(verb) or _mention_near(verb))
        if rq.mention is not None and rq.kind != "indirect" and _in_parts(rq, u, rq.mention):
            # the parse took words of the quote itself for the subject ("…, that was
            # outrageous," the strategist said): the speaker is named outside it
            rq.mention = _trim_mention(_mention_outside(verb, u, rq))
    rq.anchor = u.abs(rq.mention[0])[0] if rq.mention is not None else rq.cue[0]
    return rq
