"""The review page: one self-contained HTML file for an editor or a fact-checker.

    html = render_review(analysis)                 # one checked Analysis, or a list of them
    write_review(analyses, "review.html")          # a path (written atomically) or a text stream

What the page holds, top to bottom:

* a summary: the editorial gate (pass / fail and the verdicts it fails on), counts per
  verdict (zeros included), and every quote as a link, the quotes that fail the gate first;
* the article text as read, every quote part highlighted in its verdict's colour, with a
  label after the quote (icon, verdict and speaker, a link to the quote's details) and
  the speaker, how it was resolved and the cue on hover (``title``); the words naming the
  speaker are underlined;
* per quote: verdict, kind, speaker (name, type, method, the mention, confidence), cue,
  and for each wire version (evidence): agency, date, headline, wire id, the wire's
  speaker, similarity and that version's own verdict, then the article's words and the
  wire's words side by side with a word-level diff (``<del>`` deletions, ``<ins>``
  insertions, each changed chunk tagged with its kind: ``number``, ``negation``, ``entity``,
  ``modal``, ``wording``, ``spelling``, ``punctuation``; words beyond the other version's
  excerpt are shown muted as ``excerpt``), and the checker's own list of differences.

The page is self-contained and static: no script at all, no external style, font or
image (a Content-Security-Policy meta tag forbids them as a second line of defence).
Every piece of article or wire text, and every name, path and id, is HTML-escaped, so
markup in the content renders as text. Colour is never the only signal: every verdict
has an icon and a word, deletions are struck through and insertions underlined, and
each highlight style differs by its border too. Navigation is by links (skip link,
summary → quote → back), all reachable with Tab, with a visible focus ring; the layout
uses relative units and folds the side-by-side diff into one column on narrow windows
(and so at 200% zoom).

Nothing here imports anything outside the standard library and ``attribution.model``.
"""

from __future__ import annotations

import difflib
import html as _html
import io
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Sequence, TextIO, Union

from ..model import VERDICTS, Analysis, Difference, Evidence, Quote

DEFAULT_FAIL_ON = ("altered", "misattributed", "unverified")

# verdict -> (icon, label, short explanation)
VERDICT_INFO = {
    "confirmed": ("✓", "Confirmed", "a wire carries the same words for the same speaker"),
    "paraphrased": ("≈", "Paraphrased", "a wire carries the same statement in other words"),
    "altered": ("✗", "Altered", "the closest wire version differs in meaning"),
    "misattributed": ("⇄", "Misattributed", "a wire carries the words for someone else"),
    "unverified": ("?", "Unverified", "no wire carries the statement"),
    "none": ("·", "Not checked", "the quote was not checked against wires"),
}
KIND_LABELS = {
    "direct": "direct quote", "partial": "partial quote (fragment)", "split": "split quote",
    "multi_paragraph": "multi-paragraph quote", "indirect": "reported speech",
}
METHOD_LABELS = {
    "name": "named at the cue", "pronoun": "pronoun resolved", "role": "description resolved",
    "metonym": "place or building for a government", "according_to": "“according to” / on behalf of",
    "carryover": "carried over from the previous paragraph",
}
MEANING_KINDS = ("number", "negation", "entity", "modal", "speaker")


def esc(value) -> str:
    """HTML-escape anything (quotes too, so it is safe in attributes)."""
    return _html.escape("" if value is None else str(value), quote=True)


_ID_BAD = re.compile(r"[^A-Za-z0-9_-]+")


def safe_id(value: str) -> str:
    """A fragment id from any string (only letters, digits, ``_`` and ``-``)."""
    out = _ID_BAD.sub("-", str(value)).strip("-")
    return out[:60] or "x"


def quote_anchor(article_index: int, quote_id: str) -> str:
    """The id of a quote's details on the review page (``a1-q3``): link ``page.html#…``."""
    return f"a{article_index}-{safe_id(quote_id)}"


def verdict_key(verdict: Optional[str]) -> str:
    return verdict if verdict in VERDICT_INFO else "none"


def shorten(text: str, width: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


# --------------------------------------------------------------------------- styles

CSS = """
:root{--fg:#1f2328;--muted:#59636e;--bg:#fff;--panel:#f6f8fa;--line:#d1d9e0;--link:#0550ae;
--ok:#1a7f37;--ok-bg:#dafbe1;--pa:#0550ae;--pa-bg:#ddf4ff;--al:#b3261e;--al-bg:#ffebe9;
--mi:#6e40c9;--mi-bg:#f5e8ff;--un:#7d4e00;--un-bg:#fff1c2;--no:#59636e;--no-bg:#eef1f4}
*{box-sizing:border-box}
html{font-size:100%;-webkit-text-size-adjust:100%}
body{margin:0;color:var(--fg);background:var(--bg);font:1rem/1.55 system-ui,-apple-system,"Segoe UI",
Roboto,"Noto Sans","DejaVu Sans",Arial,sans-serif;overflow-wrap:anywhere}
main{max-width:72rem;margin:0 auto;padding:1rem 1.25rem 4rem}
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0}
h2{font-size:1.25rem;margin:2rem 0 .75rem;padding-bottom:.25rem;border-bottom:1px solid var(--line)}
h3{font-size:1.05rem;margin:0 0 .5rem}
h4{font-size:1rem;margin:0 0 .25rem}
a{color:var(--link)}
a:focus-visible,[tabindex]:focus-visible,summary:focus-visible{outline:3px solid #0969da;outline-offset:2px;
border-radius:2px}
.skip{position:absolute;left:-999rem;top:0;background:#fff;padding:.5rem 1rem;z-index:9}
.skip:focus{left:.5rem}
.muted,.meta{color:var(--muted)}
.meta{font-size:.9rem;margin:.25rem 0}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.v-confirmed{--c:var(--ok);--cb:var(--ok-bg);--bs:solid}
.v-paraphrased{--c:var(--pa);--cb:var(--pa-bg);--bs:dashed}
.v-altered{--c:var(--al);--cb:var(--al-bg);--bs:double}
.v-misattributed{--c:var(--mi);--cb:var(--mi-bg);--bs:dotted}
.v-unverified{--c:var(--un);--cb:var(--un-bg);--bs:dashed}
.v-none{--c:var(--no);--cb:var(--no-bg);--bs:solid}
.pill{display:inline-block;padding:0 .45em;border:1px solid var(--c);border-radius:.8em;color:var(--c);
background:var(--cb);font-weight:600;font-size:.85em;white-space:nowrap;text-decoration:none;line-height:1.5}
.ico{display:inline-block;min-width:1em;text-align:center}
.gate{border:2px solid var(--c);background:var(--cb);padding:.6rem .9rem;border-radius:.4rem;margin:.75rem 0}
.gate strong{color:var(--c)}
.counts{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;padding:0;margin:.75rem 0}
.counts li{border:1px solid var(--c);background:var(--cb);border-radius:.4rem;padding:.3rem .7rem}
.counts b{font-size:1.2rem;color:var(--c)}
.qlist{padding-left:1.5rem}
.qlist li{margin:.3rem 0}
.text{white-space:pre-wrap;background:var(--panel);border:1px solid var(--line);border-radius:.4rem;
padding:1rem 1.1rem;font-size:1.05rem;line-height:1.8}
mark.q{background:var(--cb);color:inherit;border-bottom:3px var(--bs) var(--c);padding:.05em 0}
mark.q mark.q{border-bottom-width:2px;box-shadow:inset 0 -.35em 0 var(--cb)}
.mention{text-decoration:underline dotted;text-underline-offset:.2em}
.badge{font-size:.78em;vertical-align:.1em;margin:0 .15em}
.legend{font-size:.9rem;margin:.5rem 0}
.legend .pill{margin:.15rem .2rem}
.quote{border:1px solid var(--line);border-left:.5rem solid var(--c);border-radius:.4rem;padding:.8rem 1rem;
margin:1rem 0;background:#fff}
.quote:target,.art:target{box-shadow:0 0 0 3px #0969da55}
.quote blockquote{margin:.25rem 0 .5rem;padding:.4rem .8rem;border-left:3px solid var(--line);background:var(--panel)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .8rem;margin:.5rem 0;font-size:.95rem}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0}
.ev{border-top:1px solid var(--line);margin-top:.75rem;padding-top:.6rem}
.diff{display:grid;grid-template-columns:1fr 1fr;gap:.6rem;margin:.5rem 0}
.diff>div{background:var(--panel);border:1px solid var(--line);border-radius:.3rem;padding:.5rem .7rem}
.diff .side{display:block;font-size:.8rem;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
del{background:#ffd7d5;text-decoration:line-through 2px;color:#82071e}
ins{background:#ccffd8;text-decoration:underline 2px;color:#055d20}
del.k-number,del.k-negation,del.k-entity,del.k-modal,ins.k-number,ins.k-negation,ins.k-entity,ins.k-modal{
font-weight:700;outline:2px solid currentColor;outline-offset:1px}
del.k-punctuation,ins.k-punctuation,del.k-spelling,ins.k-spelling{background:none}
.excerpt{color:var(--muted);font-style:italic}
.tag{display:inline-block;font-size:.72em;font-weight:700;text-transform:uppercase;letter-spacing:.03em;
border:1px solid currentColor;border-radius:.25em;padding:0 .25em;margin:0 .15em;vertical-align:.15em;
color:var(--muted);background:#fff;text-decoration:none;font-style:normal}
.tag.k-number,.tag.k-negation,.tag.k-entity,.tag.k-modal,.tag.k-speaker{color:#b3261e}
ul.diffs{font-size:.92rem;margin:.3rem 0;padding-left:1.2rem}
.back{font-size:.9rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.95rem}
th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:var(--panel)}
td.n{text-align:right;font-variant-numeric:tabular-nums}
nav.toc ol{columns:2 22rem}
@media (max-width:48rem){.diff{grid-template-columns:1fr}main{padding:.5rem .6rem 3rem}
dl.facts{grid-template-columns:1fr}dl.facts dt{margin-top:.3rem}}
@media print{.skip,.back{display:none}.quote{break-inside:avoid}}
"""

CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
       "script-src 'none'; form-action 'none'; base-uri 'none'")


def page_head(title: str, extra_css: str = "") -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"referrer\" content=\"no-referrer\">\n"
        f"<title>{esc(title)}</title>\n<style>{CSS}{extra_css}</style>\n</head>\n"
    )


def verdict_pill(verdict: Optional[str], *, text: Optional[str] = None, cls: str = "") -> str:
    v = verdict_key(verdict)
    icon, label, expl = VERDICT_INFO[v]
    return (f"<span class=\"pill v-{v}{' ' + cls if cls else ''}\" title=\"{esc(expl)}\">"
            f"<span class=\"ico\" aria-hidden=\"true\">{icon}</span> {esc(text or label)}</span>")


# --------------------------------------------------------------------------- word diff

_TOKEN_RE = re.compile(r"\d+(?:[.,:]\d+)*%?|\w+(?:['’-]\w+)*|\.\.\.|…|\S", re.UNICODE)
_NEGATIONS = {"not", "no", "never", "nobody", "nothing", "none", "neither", "nor", "without",
              "cannot", "can't", "won't", "don't", "doesn't", "didn't", "isn't", "aren't",
              "wasn't", "weren't", "hasn't", "haven't", "hadn't", "shouldn't", "wouldn't",
              "couldn't", "mustn't", "n't"}
_MODALS = {"may", "might", "will", "would", "shall", "should", "must", "can", "could", "some",
           "all", "every", "any", "many", "few", "most", "always", "never", "likely", "possibly"}
_NUM_WORDS = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
              "eleven", "twelve", "twenty", "thirty", "forty", "fifty", "hundred", "thousand",
              "million", "billion", "dozen", "percent"}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("’", "'").replace("‘", "'"))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def _pieces(text: str) -> list[tuple[str, str]]:
    """(token, the whitespace after it): joined, they give the text back (lead trimmed)."""
    out = []
    ms = list(_TOKEN_RE.finditer(text))
    for i, m in enumerate(ms):
        end = ms[i + 1].start() if i + 1 < len(ms) else len(text)
        out.append((m.group(), text[m.end():end]))
    return out


def _key(tok: str) -> str:
    k = _fold(tok)
    if k in ("“", "”", "«", "»", "„", "‹", "›", "'", "\"", "‚"):
        return "\""
    if k in ("(", "[", "{"):
        return "("
    if k in (")", "]", "}"):
        return ")"
    if k in ("…", "..."):
        return "..."
    if k in ("–", "—", "-"):
        return "-"
    return k


def _norm(s: str) -> str:
    return " ".join(_key(t) for t, _ in _pieces(s or ""))


def _guess_kind(a: str, w: str) -> str:
    toks = [_key(t) for t, _ in _pieces(a + " " + w)]
    words = [t for t in toks if any(c.isalnum() for c in t)]
    if not words:
        return "punctuation"
    if any(any(c.isdigit() for c in t) or t in _NUM_WORDS for t in words):
        return "number"
    if any(t in _NEGATIONS or t.endswith("n't") for t in words):
        return "negation"
    if any(t in _MODALS for t in words):
        return "modal"
    ka, kw = _norm(a).replace(" ", ""), _norm(w).replace(" ", "")
    if ka and kw and difflib.SequenceMatcher(None, ka, kw).ratio() >= 0.8:
        return "spelling"
    return "wording"


@dataclass(frozen=True)
class DiffChunk:
    """One run of the diff: ``op`` is equal, replace, delete (article only), insert
    (wire only) or excerpt (beyond the other side's edge: not a difference)."""

    op: str
    article: str
    wire: str
    kind: str = ""


def _kind_from(diffs: Sequence[Difference], op: str, a: str, w: str) -> Optional[str]:
    na, nw = _norm(a), _norm(w)
    best, score = None, 0
    for d in diffs:
        if d.kind == "speaker":
            continue
        da, dw = _norm(d.article), _norm(d.wire)
        s = 0
        if da == na and dw == nw:
            s = 4
        elif (da and na and (da in na or na in da)) and (not nw or not dw or dw in nw or nw in dw):
            s = 3 if d.op == op else 2
        elif (dw and nw and (dw in nw or nw in dw)) and (not na or not da):
            s = 2
        if s > score:
            best, score = d.kind, s
    return best


def word_diff(article: str, wire: str, differences: Sequence[Difference] = ()) -> list[DiffChunk]:
    """Word-level diff of an article quote and a wire text (keys fold case, diacritics
    and quote-mark styles). Unmatched words before the first and after the last match
    are an ``excerpt`` (one side quotes more); every other change gets a ``kind``: the
    matching one of ``differences`` (the checker's own), else a guess from the words."""
    a, w = _pieces(article), _pieces(wire)
    ka, kw = [_key(t) for t, _ in a], [_key(t) for t, _ in w]
    sm = difflib.SequenceMatcher(None, ka, kw, autojunk=False)
    ops = sm.get_opcodes()

    def txt(p: list[tuple[str, str]], i: int, j: int) -> str:
        return "".join(t + s for t, s in p[i:j])

    eq = [n for n, op in enumerate(ops) if op[0] == "equal"]
    first_eq, last_eq = (eq[0], eq[-1]) if eq else (-1, len(ops))
    out: list[DiffChunk] = []
    for n, (tag, i1, i2, j1, j2) in enumerate(ops):
        at, wt = txt(a, i1, i2), txt(w, j1, j2)
        if tag == "equal":
            out.append(DiffChunk("equal", at, wt))
            continue
        edge = n < first_eq or n > last_eq
        kind = _kind_from(differences, {"replace": "replace", "delete": "delete",
                                        "insert": "insert"}[tag], at, wt)
        if edge and kind is None:
            if at:
                out.append(DiffChunk("excerpt", at, ""))
            if wt:
                out.append(DiffChunk("excerpt", "", wt))
            continue
        out.append(DiffChunk(tag, at, wt, kind or _guess_kind(at, wt)))
    return out


def _diff_html(chunks: list[DiffChunk], side: str) -> str:
    parts = []
    for c in chunks:
        text = c.article if side == "article" else c.wire
        if not text:
            if c.op in ("insert", "delete") and ((side == "article") == (c.op == "insert")):
                # a gap where the other side has words
                parts.append("<span class=\"muted\" aria-hidden=\"true\">‸</span> ")
            continue
        if c.op == "equal":
            parts.append(esc(text))
        elif c.op == "excerpt":
            parts.append(f"<span class=\"excerpt\" title=\"beyond the other version (excerpt)\">"
                         f"<span class=\"sr\">[excerpt: </span>{esc(text)}<span class=\"sr\">]</span></span>")
        else:
            tagname, word = ("del", "deleted") if side == "article" else ("ins", "inserted")
            if c.op == "replace":
                word = "changed"
            k = esc(c.kind)
            trail = text[len(text.rstrip()):]
            parts.append(f"<{tagname} class=\"k-{k}\" title=\"{word}: {k}\"><span class=\"sr\">[{word}, {k}: </span>"
                         f"{esc(text.rstrip())}<span class=\"sr\">]</span></{tagname}>"
                         f"<span class=\"tag k-{k}\" aria-hidden=\"true\">{k}</span>{esc(trail)}")
    return "".join(parts)


# --------------------------------------------------------------------------- article text


@dataclass
class _Mark:
    start: int
    end: int
    open: str  # first opening tag
    reopen: str  # opening tag for a continuation (no id)
    close: str
    order: int = 0


def _annotate(text: str, marks: list[_Mark], points: dict[int, list[str]]) -> str:
    """`text` escaped, with properly nested marks (a crossing mark is closed and reopened)
    and `points` (html inserted at an offset, after the marks that end there)."""
    n = len(text)
    marks = [m for m in marks if 0 <= m.start < m.end <= n]
    starts: dict[int, list[_Mark]] = {}
    ends: dict[int, list[_Mark]] = {}
    for m in marks:
        starts.setdefault(m.start, []).append(m)
        ends.setdefault(m.end, []).append(m)
    bounds = sorted({0, n, *starts, *ends, *(p for p in points if 0 <= p <= n)})
    out: list[str] = []
    stack: list[_Mark] = []
    for bi, pos in enumerate(bounds):
        closing = ends.get(pos, [])
        if closing:
            closing_set = set(map(id, closing))
            reopen: list[_Mark] = []
            while any(id(m) in closing_set for m in stack):
                m = stack.pop()
                out.append(m.close)
                if id(m) not in closing_set:
                    reopen.append(m)
            for m in reversed(reopen):
                out.append(m.reopen)
                stack.append(m)
        for html_ in points.get(pos, ()):
            out.append(html_)
        for m in sorted(starts.get(pos, []), key=lambda m: (-m.end, m.order)):
            out.append(m.open)
            stack.append(m)
        if bi + 1 < len(bounds):
            out.append(esc(text[pos:bounds[bi + 1]]))
    while stack:
        out.append(stack.pop().close)
    return "".join(out)


# --------------------------------------------------------------------------- page


@dataclass
class _Item:
    quote: Quote
    verdict: Optional[str]
    evidence: tuple[Evidence, ...]
    anchor: str
    fails: bool


def _items(analysis: Analysis, index: int, fail_on: Iterable[str]) -> list[_Item]:
    fail = set(fail_on)
    if analysis.checked is not None:
        pairs = [(cq.quote, cq.verdict, cq.evidence) for cq in analysis.checked]
    else:
        pairs = [(q, None, ()) for q in analysis.quotes]
    items, seen = [], set()
    for q, v, ev in pairs:
        anchor = quote_anchor(index, q.id)
        while anchor in seen:
            anchor += "-"
        seen.add(anchor)
        items.append(_Item(q, v, tuple(ev), anchor, v in fail))
    return items


def _speaker_text(q: Quote) -> str:
    sp = q.speaker
    if not sp.name:
        return "speaker unknown"
    return f"{sp.name} ({METHOD_LABELS.get(sp.method, sp.method)})"


def _article_text_html(analysis: Analysis, items: list[_Item]) -> str:
    text = analysis.document.text
    marks: list[_Mark] = []
    points: dict[int, list[str]] = {}
    for n, it in enumerate(items):
        q, v = it.quote, verdict_key(it.verdict)
        icon, label, _ = VERDICT_INFO[v]
        hover = esc(f"{q.id} · {label} · {_speaker_text(q)}"
                    + (f" · cue: {q.cue.text}" if q.cue else ""))
        for pn, part in enumerate(q.parts):
            pid = f"{it.anchor}-t{pn + 1}"
            marks.append(_Mark(part.start, part.end,
                               f"<mark class=\"q v-{v}\" id=\"{pid}\" title=\"{hover}\">",
                               f"<mark class=\"q v-{v}\" title=\"{hover}\">", "</mark>", n))
        sp = q.speaker
        if sp.mention is not None and sp.mention.end > sp.mention.start:
            marks.append(_Mark(sp.mention.start, sp.mention.end,
                               f"<span class=\"mention\" title=\"{esc('speaker of ' + q.id + ': ' + (sp.name or '?'))}\">",
                               "<span class=\"mention\">", "</span>", 1000 + n))
        who = sp.name or "speaker unknown"
        badge = (f"<a class=\"pill badge v-{v}\" href=\"#{it.anchor}\" title=\"{hover}\">"
                 f"<span class=\"ico\" aria-hidden=\"true\">{icon}</span> {esc(label)} · {esc(who)}"
                 f"<span class=\"sr\"> ({esc(METHOD_LABELS.get(sp.method, sp.method) if sp.name else '')}), "
                 f"{esc(q.id)}, details</span></a>")
        points.setdefault(q.end, []).append(badge)
    return f"<div class=\"text\">{_annotate(text, marks, points)}</div>"


def _evidence_html(it: _Item, ev: Evidence, n: int) -> str:
    q = it.quote
    # the parts joined plainly: a split quote's " ... " is no difference from the wire
    chunks = word_diff(" ".join(p.text for p in q.parts) or q.text, ev.text, ev.differences)
    meta = [f"<strong>{esc(ev.agency or 'unknown agency')}</strong>"]
    if ev.date:
        meta.append(esc(ev.date))
    head = " · ".join(meta)
    sp_rel = ""
    if any(d.kind == "speaker" for d in ev.differences):
        sp_rel = " <span class=\"tag k-speaker\">different speaker</span>"
    diffs = "".join(
        f"<li><span class=\"tag k-{esc(d.kind)}\">{esc(d.kind)}</span> {esc(d.op)}: "
        f"“{esc(d.article)}” → “{esc(d.wire)}”</li>" for d in ev.differences
    )
    return (
        f"<section class=\"ev\" aria-label=\"wire version {n} of {esc(q.id)}\">"
        f"<h4>Wire {n}: {head} {verdict_pill(ev.verdict)}</h4>"
        f"<p class=\"meta\">Headline: <cite>{esc(ev.headline or '—')}</cite><br>"
        f"Wire id: <code>{esc(ev.wire_id)}</code> · speaker in the wire: {esc(ev.speaker or 'unknown')}{sp_rel}"
        f" · similarity {ev.similarity:.1f}</p>"
        "<div class=\"diff\">"
        f"<div><span class=\"side\">Article</span>{_diff_html(chunks, 'article')}</div>"
        f"<div><span class=\"side\">Wire ({esc(ev.agency or 'unknown')})</span>{_diff_html(chunks, 'wire')}</div>"
        "</div>"
        + (f"<details><summary>Differences found by the checker ({len(ev.differences)})</summary>"
           f"<ul class=\"diffs\">{diffs}</ul></details>" if ev.differences else
           "<p class=\"meta\">No differences found by the checker.</p>")
        + "</section>"
    )


def _quote_html(it: _Item, top: str) -> str:
    q, v = it.quote, verdict_key(it.verdict)
    sp = q.speaker
    facts = [
        ("Verdict", verdict_pill(it.verdict) + (" <strong>fails the gate</strong>" if it.fails else "")),
        ("Kind", esc(KIND_LABELS.get(q.kind, q.kind))),
        ("Speaker", (esc(sp.name) if sp.name else "<em>unknown</em>")
         + (f" <span class=\"muted\">({esc(sp.type)})</span>" if sp.name else "")),
        ("Resolved by", esc(METHOD_LABELS.get(sp.method, sp.method))
         + (f" from “{esc(sp.mention.text)}”" if sp.mention else "")
         + (f", confidence {sp.confidence:.2f}" if sp.name else "")),
        ("Cue", f"“{esc(q.cue.text)}”" if q.cue else "<em>none</em>"),
    ]
    if q.within:
        facts.append(("Inside", f"reported speech {esc(q.within)}"))
    dl = "".join(f"<dt>{k}</dt><dd>{val}</dd>" for k, val in facts)
    if it.evidence:
        evs = "".join(_evidence_html(it, ev, n) for n, ev in enumerate(it.evidence, 1))
    elif it.verdict is None:
        evs = "<p class=\"meta\">Not checked against wires.</p>"
    else:
        evs = "<p class=\"meta\">No wire version found.</p>"
    first = f"{it.anchor}-t1"
    return (
        f"<article class=\"quote v-{v}\" id=\"{it.anchor}\" tabindex=\"-1\" aria-labelledby=\"{it.anchor}-h\">"
        f"<h3 id=\"{it.anchor}-h\">{verdict_pill(it.verdict)} {esc(q.id)} · {esc(sp.name or 'speaker unknown')}</h3>"
        f"<blockquote>{esc(q.text)}</blockquote><dl class=\"facts\">{dl}</dl>{evs}"
        f"<p class=\"back\"><a href=\"#{first}\">Show in the article</a> · <a href=\"#{top}\">Back to the summary</a></p>"
        "</article>"
    )


def _counts(items: Iterable[_Item]) -> dict[str, int]:
    counts = {v: 0 for v in VERDICTS}
    for it in items:
        counts[verdict_key(it.verdict)] = counts.get(verdict_key(it.verdict), 0) + 1
    return counts


def _summary_html(groups: list[tuple[int, Analysis, list[_Item]]], fail_on: Sequence[str],
                  multi: bool) -> str:
    all_items = [it for _, _, items in groups for it in items]
    counts = _counts(all_items)
    failing = [it for it in all_items if it.fails]
    checked = any(a.checked is not None for _, a, _ in groups)
    out = ["<section id=\"summary\" aria-labelledby=\"summary-h\"><h2 id=\"summary-h\">Summary</h2>"]
    if checked:
        gate_v = "altered" if failing else "confirmed"
        fo = ", ".join(fail_on) or "nothing"
        word = "FAIL" if failing else "PASS"
        icon = "✗" if failing else "✓"
        detail = (f"{len(failing)} of {len(all_items)} quote{'s' if len(all_items) != 1 else ''} fail"
                  if failing else f"all {len(all_items)} quotes pass")
        out.append(f"<div class=\"gate v-{gate_v}\" role=\"status\"><span aria-hidden=\"true\">{icon}</span> "
                   f"Editorial gate: <strong>{word}</strong> — {detail} (fails on: {esc(fo)}).</div>")
    out.append("<ul class=\"counts\" aria-label=\"quotes per verdict\">")
    for v, c in counts.items():
        if v == "none" and not c:
            continue
        icon, label, expl = VERDICT_INFO[v]
        out.append(f"<li class=\"v-{v}\" title=\"{esc(expl)}\"><span aria-hidden=\"true\">{icon}</span> "
                   f"{esc(label)}: <b>{c}</b></li>")
    out.append(f"</ul><p class=\"meta\">{len(all_items)} quote{'s' if len(all_items) != 1 else ''}"
               + (f" in {len(groups)} articles" if multi else "") + ".</p>")
    if all_items:
        ordered = failing + [it for it in all_items if not it.fails]
        out.append("<h3>Quotes" + (", those that fail the gate first" if failing else "") + "</h3>"
                   "<ol class=\"qlist\">")
        for it in ordered:
            out.append(f"<li>{verdict_pill(it.verdict)} <a href=\"#{it.anchor}\">{esc(it.quote.id)}</a> "
                       f"{esc(it.quote.speaker.name or 'speaker unknown')}: “{esc(shorten(it.quote.text, 120))}”</li>")
        out.append("</ol>")
    out.append("</section>")
    return "".join(out)


def _legend() -> str:
    pills = " ".join(verdict_pill(v) for v in VERDICTS)
    return (f"<p class=\"legend\">Highlights: {pills}; the words naming a speaker are "
            "<span class=\"mention\">underlined</span>. Each quote ends with a label; follow "
            "it for the details.</p>")


def render_review(analyses: Union[Analysis, Iterable[Analysis]], *,
                  fail_on: Iterable[str] = DEFAULT_FAIL_ON, title: Optional[str] = None,
                  back_href: Optional[str] = None, back_label: str = "Back to the batch report",
                  generator: Optional[str] = None) -> str:
    """The review page for one analysis or several (one section per article) as a string."""
    out = io.StringIO()
    write_review(analyses, out, fail_on=fail_on, title=title, back_href=back_href,
                 back_label=back_label, generator=generator)
    return out.getvalue()


def _write_page(analyses: list[Analysis], out: TextIO, *, fail_on: Sequence[str],
                title: Optional[str], back_href: Optional[str], back_label: str,
                generator: Optional[str]) -> int:
    multi = len(analyses) != 1
    groups = [(i, a, _items(a, i, fail_on)) for i, a in enumerate(analyses, 1)]
    if title is None:
        if len(analyses) == 1:
            d = analyses[0].document
            title = f"Quote review: {d.title or d.path or 'article'}"
        else:
            title = f"Quote review: {len(analyses)} articles"
    if generator is None:
        from .. import __version__

        generator = f"attribution {__version__}"
    out.write(page_head(title))
    out.write("<body>\n<a class=\"skip\" href=\"#summary\">Skip to the summary</a>\n<main>\n")
    if back_href:
        out.write(f"<p class=\"back\"><a href=\"{esc(back_href)}\">← {esc(back_label)}</a></p>")
    out.write(f"<header><h1>{esc(title)}</h1>")
    if not multi:
        d = analyses[0].document
        bits = [f"File: <code>{esc(d.path or '(stdin)')}</code>"]
        if d.date:
            bits.append(f"date: {esc(d.date)}")
        out.write(f"<p class=\"meta\">{' · '.join(bits)}</p>")
    out.write(f"<p class=\"meta\">Made by {esc(generator)}.</p></header>\n")
    out.write(_summary_html(groups, tuple(fail_on), multi))
    if multi:
        out.write("<nav class=\"toc\" aria-label=\"articles\"><h2>Articles</h2><ol>")
        for i, a, items in groups:
            c = _counts(items)
            nf = sum(it.fails for it in items)
            out.write(f"<li><a href=\"#a{i}\">{esc(a.document.title or a.document.path or f'article {i}')}</a>"
                      f" <span class=\"muted\">({len(items)} quotes{', ' + str(nf) + ' failing' if nf else ''})</span></li>")
            del c
        out.write("</ol></nav>")
    for i, a, items in groups:
        d = a.document
        head = d.title or d.path or f"article {i}"
        lvl = "h2"
        out.write(f"<section class=\"art\" id=\"a{i}\" tabindex=\"-1\" aria-labelledby=\"a{i}-h\">")
        if multi:
            out.write(f"<{lvl} id=\"a{i}-h\">{esc(head)}</{lvl}><p class=\"meta\">File: <code>{esc(d.path)}</code>"
                      + (f" · date: {esc(d.date)}" if d.date else "") + "</p>")
            out.write("<h3>Article text</h3>")
        else:
            out.write(f"<{lvl} id=\"a{i}-h\">Article text</{lvl}>")
        out.write(_legend())
        out.write(_article_text_html(a, items))
        out.write(f"<{'h3' if multi else 'h2'}>Quotes ({len(items)})</{'h3' if multi else 'h2'}>")
        if not items:
            out.write("<p class=\"meta\">No quotes found.</p>")
        for it in sorted(items, key=lambda it: (not it.fails, it.quote.start)):
            out.write(_quote_html(it, "summary"))
        out.write("</section>\n")
    out.write("</main>\n</body>\n</html>\n")
    return len(analyses)


def write_review(analyses: Union[Analysis, Iterable[Analysis]], out: Union[TextIO, str, os.PathLike], *,
                 fail_on: Iterable[str] = DEFAULT_FAIL_ON, title: Optional[str] = None,
                 back_href: Optional[str] = None, back_label: str = "Back to the batch report",
                 generator: Optional[str] = None) -> int:
    """Write the review page to a text stream, or to a path (atomically: a temporary file
    in the same folder, then ``os.replace``). Returns the number of articles."""
    items = [analyses] if isinstance(analyses, Analysis) else list(analyses)
    kw = dict(fail_on=tuple(fail_on), title=title, back_href=back_href, back_label=back_label,
              generator=generator)
    if isinstance(out, (str, os.PathLike)):
        buf = io.StringIO()
        n = _write_page(items, buf, **kw)
        atomic_write_text(out, buf.getvalue())
        return n
    return _write_page(items, out, **kw)


def atomic_write_text(path: Union[str, os.PathLike], text: str) -> None:
    """Write `text` (UTF-8) to `path` via a temporary file in the same folder and
    ``os.replace``: a reader (or a rerun after a kill) sees the old file or the new one,
    never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "x", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


__all__ = [
    "render_review", "write_review", "word_diff", "DiffChunk", "quote_anchor", "safe_id", "esc",
    "VERDICT_INFO", "DEFAULT_FAIL_ON", "atomic_write_text", "page_head", "verdict_pill",
]
