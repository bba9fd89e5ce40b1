"""Main text of an HTML page or fragment, as blank-line-separated paragraphs.

Pages go through trafilatura (imported lazily: the command line must start fast); when it
finds nothing, a small stdlib parser keeps the text of ``<p>`` elements outside page chrome.
Fragments (a ninjs ``body_html``) are the article body already, so they go straight to the
stdlib parser, which keeps every block of text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Optional

__all__ = ["HtmlText", "extract_page", "fragment_to_text", "simple_extract", "is_chrome"]

# Elements whose content is never article text. (Not <form>: ASP.NET pages wrap the whole
# page in one.)
_SKIP = {
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "figure",
    "figcaption", "button", "select", "option", "svg", "iframe", "object", "canvas",
    "head", "title", "menu", "dialog", "label", "input", "textarea",
}
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
}
_BLOCKS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "section", "article",
    "main", "pre", "tr", "td", "th", "dd", "dt", "ul", "ol", "table", "address", "center",
}

_BULLET_RE = re.compile(r"^\s*[-*•]\s+")

# Whole paragraphs that are page furniture, never article text.
_CHROME_RE = re.compile(
    r"(?i)^(?:"
    r"accessibility links|skip to (?:main )?content|skip to navigation|skip navigation"
    r"|jump to (?:main )?content|breaking news|updated|advertisement|advert|sponsored"
    r"|share(?: this(?: article| story)?)?(?: on \w+)?|share on (?:facebook|twitter|x|linkedin|whatsapp|email)"
    r"|(?:share|tweet|email|print|copy link|comments?)(?:[\s|/·•]+(?:share|tweet|email|print|copy link|comments?|facebook|twitter|x|linkedin|whatsapp|telegram|reddit))+"
    r"|xs\s*sm\s*md\s*lg(?:\s*xl)?|xs|sm|md|lg|xl|xxl|a\s*a\s*a|a\s*[-+]|a"
    r"|read more|see also|related(?: (?:stories|articles|content|topics))?|most (?:read|popular|viewed)"
    r"|print|comments?|close|menu|search|subscribe|sign in|log in|sign up|listen(?: to this article)?"
    r"|back to top|top stories|more from \w+|follow us(?: on \w+)?|image|photo|video|watch"
    r"|\d+x\d+ image|cookie settings|accept(?: all)?(?: cookies)?|reject all|manage cookies"
    r")[\s.:!|]*$"
)
_COOKIE_RE = re.compile(r"(?i)\b(?:we|this (?:site|website)) uses? cookies\b|\bcookie (?:policy|settings|notice)\b")


def is_chrome(paragraph: str) -> bool:
    """Whether a whole paragraph is page furniture ("Accessibility links", "XS SM MD LG",
    "Share on Facebook", a cookie notice)."""
    p = " ".join(_BULLET_RE.sub("", paragraph).split())
    if not p:
        return True
    if len(p) <= 60 and _CHROME_RE.match(p):
        return True
    if len(p) <= 400 and _COOKIE_RE.search(p):
        return True
    return False


def _paragraphs_to_text(paragraphs) -> str:
    out = []
    for p in paragraphs:
        p = p.strip()
        if p and not is_chrome(p):
            out.append(p)
    return "\n\n".join(out)


class _Collector(HTMLParser):
    """Text of block elements, skipping chrome. With ``only_p``: just <p> (and <h1>)."""

    def __init__(self, only_p: bool, skip: frozenset = frozenset(_SKIP)):
        super().__init__(convert_charrefs=True)
        self.only_p = only_p
        self.skip = skip
        self.skip_depth = 0
        self.stack: list[str] = []
        self.open_count: dict[str, int] = {}  # open elements by name: unmatched end tags cost O(1)
        self.blocks: list[str] = []
        self.buf: list[str] = []
        self.in_p = 0
        self.title = ""
        self._in_title = False
        self._h1 = ""
        self._in_h1 = False

    def _flush(self):
        if self.buf:
            text = " ".join("".join(self.buf).split())
            if text:
                self.blocks.append(text)
            self.buf = []

    def handle_starttag(self, tag, attrs):
        tag = tag.lower()
        if tag == "title":
            self._in_title = True
        if tag in _VOID:
            if tag == "br" and not self.skip_depth:
                self.buf.append(" ")
            return
        self.open_count[tag] = self.open_count.get(tag, 0) + 1
        if tag in self.skip or self._hidden(attrs):
            # chrome, or an element hidden from readers (hidden, aria-hidden, display:none)
            self.stack.append(tag + "#skip")
            self.skip_depth += 1
            return
        self.stack.append(tag)
        if tag == "h1":
            self._in_h1 = True
        if self.only_p:
            if tag in ("p", "h1"):
                self._flush()
                self.in_p += 1
        elif tag in _BLOCKS:
            self._flush()

    @staticmethod
    def _hidden(attrs) -> bool:
        for k, v in attrs:
            k = (k or "").lower()
            v = (v or "").lower()
            if k == "hidden" or (k == "aria-hidden" and v == "true"):
                return True
            if k == "style" and re.search(r"display\s*:\s*none|visibility\s*:\s*hidden", v):
                return True
        return False

    def handle_startendtag(self, tag, attrs):
        if tag.lower() == "br" and not self.skip_depth:
            self.buf.append(" ")

    def handle_endtag(self, tag):
        tag = tag.lower()
        if tag == "title":
            self._in_title = False
        if tag in _VOID:
            return
        if self.open_count.get(tag):  # else a stray end tag: ignored
            self._close(tag)
        if not self.only_p and tag in _BLOCKS:
            self._flush()

    def _close(self, tag):
        # pop to the matching open tag (tolerates unclosed elements); each element is popped
        # once, so this is linear over the whole page
        for i in range(len(self.stack) - 1, -1, -1):
            name = self.stack[i]
            if name.split("#")[0] == tag:
                for closed in self.stack[i:]:
                    if closed.endswith("#skip"):
                        self.skip_depth -= 1
                    base = closed.split("#")[0]
                    self.open_count[base] -= 1
                    if self.only_p and base in ("p", "h1") and not closed.endswith("#skip"):
                        self.in_p = max(0, self.in_p - 1)
                        self._flush()
                    if base == "h1":
                        self._in_h1 = False
                del self.stack[i:]
                return

    def handle_data(self, data):
        if self._in_title:
            self.title += data
            return
        if self.skip_depth:
            return
        if self._in_h1:
            self._h1 += data
        if self.only_p and not self.in_p:
            return
        self.buf.append(data)

    def close(self):
        super().close()
        self._flush()


_DEFUSE_RE = re.compile(r"<!|<(script|style)(?=[\s/>])", re.I)
_COMMENT_CLOSE_RE = re.compile(r"--\s*>")  # as html.parser has them
_MARKED_CLOSE_RE = re.compile(r"]\s*]\s*>")
_MS_MARKED_CLOSE_RE = re.compile(r"]\s*>")
_DECLNAME_RE = re.compile(r"[a-zA-Z][-_.a-zA-Z0-9]*")
_RAW_CLOSE_RE = {t: re.compile(rf"</{t}\s*>", re.I) for t in ("script", "style")}


def _defuse(html: str) -> str:
    """Make a page safe for html.parser: linear time, no exception.

    html.parser looks for the end of an unterminated comment or marked section from every
    "<!" that opens one, which is quadratic ("<!--" 100,000 times: minutes), and raises on
    an unknown marked section ("<![x"). Like a browser, an unterminated comment runs to the
    end of the page; an unknown "<![" is text; a "<" after the last ">" is text.
    """
    pieces: list[str] = []
    copied = 0
    pos = 0
    n = len(html)
    while pos < n:
        m = _DEFUSE_RE.search(html, pos)
        if not m:
            break
        i = m.start()
        if m.group(1):  # <script>/<style>: their content is not markup
            close = _RAW_CLOSE_RE[m.group(1).lower()].search(html, m.end())
            if not close:
                break
            pos = close.end()
            continue
        if html.startswith("<!--", i):
            close = _COMMENT_CLOSE_RE.search(html, i + 4)
        elif html.startswith("<![", i):
            name = _DECLNAME_RE.match(html, i + 3)
            kind = name.group().lower() if name else ""
            if kind in ("temp", "cdata", "ignore", "include", "rcdata"):
                close = _MARKED_CLOSE_RE.search(html, i + 3)
            elif kind in ("if", "else", "endif"):
                close = _MS_MARKED_CLOSE_RE.search(html, i + 3)
            else:
                pieces.append(html[copied:i])
                pieces.append("&lt;![")
                copied = pos = i + 3
                continue
        else:
            pos = i + 2
            continue
        if not close:
            n = i  # unterminated: the rest of the page is a comment
            break
        pos = close.end()
    pieces.append(html[copied:n])
    html = "".join(pieces)
    last = html.rfind(">")
    if html.find("<", last + 1) >= 0:
        html = html[: last + 1] + html[last + 1:].replace("<", "&lt;")
    return html


def _collect(html: str, only_p: bool, skip: frozenset = frozenset(_SKIP)) -> _Collector:
    c = _Collector(only_p, skip)
    try:
        c.feed(_defuse(html))
        c.close()
    except Exception:  # html.parser is lenient; never let a broken page become a traceback
        c._flush()
    return c


def simple_extract(html: str) -> str:
    """Fallback for a page: the text of its <p> (and <h1>) elements outside chrome."""
    return _paragraphs_to_text(_collect(html, only_p=True).blocks)


def fragment_to_text(html: str) -> str:
    """An HTML fragment that is all article body (ninjs ``body_html``) as paragraphs."""
    return _paragraphs_to_text(_collect(html, only_p=False).blocks)


@dataclass(frozen=True)
class HtmlText:
    text: str  # blank-line-separated paragraphs; "" when nothing was found
    title: str = ""
    date: Optional[str] = None  # yyyy-mm-dd, from the page's markup
    url: str = ""
    outlet: str = ""
    author: str = ""
    extractor: str = ""  # "trafilatura" | "html.parser"


def _trafilatura(html: str):
    try:
        import trafilatura  # lazy: heavy import
    except ImportError:  # pragma: no cover - it is a dependency; degrade gracefully anyway
        return None
    try:
        return trafilatura.bare_extraction(
            html,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
            favor_precision=True,
            with_metadata=True,
            # dates only from the page's markup (meta tags, JSON-LD, <time>), no guessing
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception:  # trafilatura/lxml can fail on odd markup: fall back, never crash
        return None


# The guard: elements whose text trafilatura must not have kept (a <header> may hold the
# headline and standfirst, so it is allowed here).
_GUARD_SKIP = frozenset(_SKIP - {"header", "title", "head", "label"})
_GUARD_MAX_MISSES = 200
_SQUASH_RE = re.compile(r"[\s\u00ad\u200b-\u200d\u2060\ufeff]+")


def _squash(s: str) -> str:
    return _SQUASH_RE.sub("", unicodedata.normalize("NFC", s))


def _guard(paragraphs: list[str], html: str) -> list[str]:
    """Keep the paragraphs whose text occurs in the page outside chrome elements.

    trafilatura falls back to whole-page text when it finds no article (a bare <nav> comes
    back as text); this drops what came from <nav>, <footer>, <figcaption>, <script>, ….
    Paragraphs come in page order, so each is searched from where the last one ended.
    """
    visible = _squash("".join(_collect(html, only_p=False, skip=_GUARD_SKIP).blocks))
    if not visible:
        return []
    kept = []
    pos = 0
    misses = 0
    for p in paragraphs:
        key = _squash(_BULLET_RE.sub("", p))  # trafilatura writes list items as "- item"
        if not key:
            continue
        if misses >= _GUARD_MAX_MISSES:  # a miss scans the page: bound the work
            kept.append(p)
            continue
        i = visible.find(key, pos)
        if i < 0:
            i = visible.find(key)
        if i >= 0:
            kept.append(p)
            pos = i + len(key)
        else:
            misses += 1
    return kept


def _has_words(text: str) -> bool:
    return any(c.isalnum() for c in text)


# trafilatura slows down more than linearly on huge trees (20,000 paragraphs: 2 s, 60,000:
# 25 s); past this many tags the linear stdlib extraction is used instead. News pages have a
# few thousand.
MAX_TAGS_FOR_TRAFILATURA = 30_000


def extract_page(html: str) -> HtmlText:
    """Main text and metadata of a whole HTML page."""
    doc = _trafilatura(html) if html.count("<") <= MAX_TAGS_FOR_TRAFILATURA else None
    title = date = url = outlet = author = ""
    text = ""
    extractor = ""
    if doc is not None:
        raw = getattr(doc, "text", None) or ""
        # trafilatura separates paragraphs with single newlines
        text = _paragraphs_to_text(_guard(raw.split("\n"), html))
        if not _has_words(text):
            text = ""
        title = (getattr(doc, "title", None) or "").strip()
        date = getattr(doc, "date", None) or ""
        url = getattr(doc, "url", None) or ""
        outlet = getattr(doc, "sitename", None) or ""
        author = getattr(doc, "author", None) or ""
        extractor = "trafilatura"
    if not text.strip():
        c = _collect(html, only_p=True)
        text = _paragraphs_to_text(c.blocks)
        if not _has_words(text):
            text = ""
        extractor = "html.parser"
        if not title:
            title = " ".join((c._h1 or c.title).split())
    from attribution.io.dateline import parse_date

    return HtmlText(
        text=text,
        title=" ".join(title.split()),
        date=parse_date(date) if date else None,
        url=url,
        outlet=outlet,
        author=author,
        extractor=extractor,
    )
