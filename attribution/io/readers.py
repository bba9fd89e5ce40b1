"""Article readers: plain text, HTML, JSON (ninjs 1.x–3.x, plain objects) and JSON lines.

Every reader ends in :func:`document_from_text`, so the same rules hold for all formats:

* ``Document.text`` is the text as read, with line endings normalised to ``\\n`` (and, for
  HTML and JSON bodies, the extracted main text: paragraphs separated by blank lines). All
  offsets index it: ``doc.text[s.start:s.end] == s.text`` for every span.
* ``paragraphs``: one span per blank-line-separated paragraph, surrounding whitespace
  stripped; a text with no blank line at all has one paragraph per non-empty line.
* ``title``: given, or the first paragraph when it looks like a headline (short, one line,
  no final period); page chrome such as "Accessibility links" or "Breaking News" before it
  is skipped.
* ``dateline`` ("MOSCOW, Aug 27 (Reuters) -") and ``date`` (yyyy-mm-dd) from it when the
  date has a year, else from a short "Updated 12 August 2026" line near the top.

Bad input never gives a traceback: it raises :class:`attribution.errors.InputError` with a
one-line problem and a stable code. Everything is linear time in the size of the input.
"""

from __future__ import annotations

import codecs
import json
import logging
import os
import re
import sys
from pathlib import Path
from typing import Iterable, Iterator, Optional, Union

from attribution.errors import (
    E_BAD_JSON,
    E_BINARY,
    E_EMPTY,
    E_FORMAT,
    E_NO_TEXT,
    E_NOT_FOUND,
    E_TOO_LARGE,
    E_UNDECODABLE,
    InputError,
)
from attribution.io.dateline import (
    dateline_date,
    find_date_paragraph,
    find_dateline,
    match_dateline,
    parse_date,
)
from attribution.io.htmltext import extract_page, fragment_to_text, is_chrome
from attribution.model import Document, Span

__all__ = [
    "MAX_BYTES",
    "read_documents",
    "iter_documents",
    "document_from_text",
    "document_from_html",
    "document_from_json",
    "find_dateline",
    "split_paragraphs",
    "detect_format",
]

log = logging.getLogger(__name__)

MAX_BYTES = 50 * 1024 * 1024  # larger files are refused (E_TOO_LARGE)
BINARY_PROBE = 8192  # NUL bytes in this many leading bytes: a binary file
TITLE_MAX = 200
HEAD_PARAGRAPHS = 8  # datelines and date lines are looked for in this many paragraphs

_EXTENSIONS = {
    ".txt": "text", ".text": "text", ".md": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".shtml": "html",
    ".json": "json", ".ninjs": "json",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".jsonlines": "jsonl",
}
_MAGIC = (
    (b"%PDF-", "PDF"),
    (b"PK\x03\x04", "ZIP/Office document"),
    (b"\x1f\x8b", "gzip"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"{\\rtf", "RTF document"),
)
_HTML_SNIFF_RE = re.compile(
    r"<(?:!doctype\s+html|html|head|body|meta|title|p|div|article|main|section|span|a|br|h[1-6])\b",
    re.I,
)
_CHARSET_RE = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I)
_HTMLISH_RE = re.compile(r"</?(?:p|div|br|h[1-6]|span|a|em|strong|b|i|ul|ol|li|blockquote)\b[^>]{0,200}>", re.I)

PathLike = Union[str, "os.PathLike[str]"]


# --------------------------------------------------------------------------- text model

def _normalise(text: str) -> str:
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


_BLANK_SEP_RE = re.compile(r"\n[^\S\n]*\n(?:[^\S\n]*\n)*")
_LINE_RE = re.compile(r"[^\s][^\n]*")


def _stripped(text: str, start: int, end: int) -> Optional[Span]:
    chunk = text[start:end]
    left = len(chunk) - len(chunk.lstrip())
    right = len(chunk.rstrip())
    if right <= left:
        return None
    return Span(start + left, start + right, chunk[left:right])


def split_paragraphs(text: str) -> tuple[Span, ...]:
    """Blank-line-separated paragraphs of (normalised) `text`, whitespace stripped.

    When no blank line separates two non-blank lines, every non-blank line is a paragraph.
    Linear time (regular expressions without nested repetition).
    """
    lead = len(text) - len(text.lstrip())
    trail = len(text.rstrip())
    if trail <= lead:
        return ()
    seps = list(_BLANK_SEP_RE.finditer(text, lead, trail))
    spans: list[Span] = []
    if not seps:
        for m in _LINE_RE.finditer(text, lead, trail):
            line = m.group().rstrip()
            spans.append(Span(m.start(), m.start() + len(line), line))
        return tuple(spans)
    pos = lead
    for m in seps:
        s = _stripped(text, pos, m.start())
        if s is not None:
            spans.append(s)
        pos = m.end()
    s = _stripped(text, pos, trail)
    if s is not None:
        spans.append(s)
    return tuple(spans)


_END_CLOSERS = "\"'”’»›)]*"


def _looks_like_title(p: str) -> bool:
    if len(p) >= TITLE_MAX or "\n" in p:
        return False
    core = p.rstrip(_END_CLOSERS + " \t")
    if not core or core[-1] in ".,;:…":
        return False
    if not any(c.isalpha() for c in core):
        return False
    if find_date_paragraph(p):
        return False
    return True


def _guess_title(text: str, paragraphs: tuple[Span, ...], dateline: Optional[Span]) -> str:
    for p in paragraphs[:HEAD_PARAGRAPHS]:
        if dateline is not None and p.start == dateline.start:
            return ""
        if is_chrome(p.text):
            continue
        return p.text if _looks_like_title(p.text) else ""
    return ""


def _find_head_dateline(text: str, paragraphs: tuple[Span, ...]) -> Optional[Span]:
    for p in paragraphs[:HEAD_PARAGRAPHS]:
        span = match_dateline(text, p.start)
        if span is not None:
            return span
    return None


def _find_head_date(paragraphs: tuple[Span, ...]) -> Optional[str]:
    for p in paragraphs[:HEAD_PARAGRAPHS]:
        d = find_date_paragraph(p.text)
        if d:
            return d
    return None


def document_from_text(
    text: str,
    path: str = "",
    title: str = "",
    date: Optional[str] = None,
    *,
    meta: Iterable[tuple[str, str]] = (),
) -> Document:
    """A Document from already-clean text (see the module docstring for the rules).

    `title` and `date` are used when given (the date normalised to yyyy-mm-dd when it can
    be); otherwise they are found in the text. Never raises on any string.
    """
    text = _normalise(str(text))
    paragraphs = split_paragraphs(text)
    dateline = _find_head_dateline(text, paragraphs)
    title = " ".join(title.split()) if title else _guess_title(text, paragraphs, dateline)
    iso = parse_date(date) if date else None
    if iso is None:
        iso = dateline_date(dateline) or _find_head_date(paragraphs)
    return Document(
        text=text,
        path=str(path),
        title=title,
        date=iso,
        dateline=dateline,
        paragraphs=paragraphs,
        meta=tuple((str(k), str(v)) for k, v in meta),
    )


_HEADER_RE = re.compile(
    r"(?i)(agency|date|headline|title|id|url|language|byline|source|outlet|slug)[ \t]*:[ \t]*(\S[^\n]*)"
)
_HEADER_META = {"agency": "agency", "id": "id", "url": "url", "language": "language",
                "byline": "byline", "source": "source", "outlet": "outlet", "slug": "slug"}


def _text_document(text: str, label: str) -> Document:
    """A plain text file. A leading block of wire header lines ("Agency: TASS", "Date:
    2019-08-27", "Headline: …") gives the title, date and meta; it stays in the text (offsets
    are into the file as read) and ``meta["body_start"]`` gives the offset of the body."""
    doc = document_from_text(text, path=label, meta=[("format", "text")])
    if not doc.paragraphs:
        return doc
    first = doc.paragraphs[0]
    fields = []
    for line in first.text.split("\n"):
        m = _HEADER_RE.fullmatch(line.strip())
        if not m:
            return doc
        fields.append((m.group(1).lower(), m.group(2).strip()))
    keys = {k for k, _ in fields}
    if len(fields) < 2 or not keys & {"agency", "date", "headline", "title"}:
        return doc
    title = next((v for k, v in fields if k in ("headline", "title")), "")
    date = next((parse_date(v) for k, v in fields if k == "date"), None)
    meta = [("format", "text")] + [(_HEADER_META[k], v) for k, v in fields if k in _HEADER_META]
    if len(doc.paragraphs) > 1:
        meta.append(("body_start", str(doc.paragraphs[1].start)))
    return document_from_text(doc.text, path=label, title=title, date=date or doc.date, meta=meta)


# --------------------------------------------------------------------------- bytes

def _read_bytes(path: PathLike) -> bytes:
    label = str(path)
    if label == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise InputError(label, f"file too large (>{MAX_BYTES // (1024 * 1024)} MB)", E_TOO_LARGE)
        return data
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(label, "not found", E_NOT_FOUND) from None
    except OSError as e:
        raise InputError(label, f"cannot read ({e.strerror or e.__class__.__name__})", E_NOT_FOUND) from None
    if os.path.isdir(path):
        raise InputError(label, "is a directory", E_FORMAT)
    if st.st_size > MAX_BYTES:
        raise InputError(label, f"file too large (>{MAX_BYTES // (1024 * 1024)} MB)", E_TOO_LARGE)
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise InputError(label, f"cannot read ({e.strerror or e.__class__.__name__})", E_NOT_FOUND) from None
    if len(data) > MAX_BYTES:
        raise InputError(label, f"file too large (>{MAX_BYTES // (1024 * 1024)} MB)", E_TOO_LARGE)
    return data


def _check_binary(label: str, data: bytes) -> None:
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InputError(label, f"binary file ({what})", E_BINARY)
    if b"\x00" in data[:BINARY_PROBE]:
        raise InputError(label, "binary file (NUL bytes)", E_BINARY)


def _decode(label: str, data: bytes, declared_charset: bool = False) -> str:
    """Bytes to str: UTF-8 (BOM stripped), UTF-16/32 with a BOM; for HTML, a declared charset.

    Raises InputError for empty, binary and undecodable input.
    """
    if not data:
        raise InputError(label, "file is empty", E_EMPTY)
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as e:
                raise InputError(label, f"not valid {codec.upper()} at byte {e.start}", E_UNDECODABLE) from None
            return _nonempty(label, text.lstrip("\ufeff"))
    offset = 0
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
        offset = 3
    _check_binary(label, data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        text = _declared(data) if declared_charset else None
        if text is None:
            raise InputError(label, f"not valid UTF-8 at byte {e.start + offset}", E_UNDECODABLE) from None
    return _nonempty(label, text)


def _declared(data: bytes) -> Optional[str]:
    m = _CHARSET_RE.search(data[:4096])
    if not m:
        return None
    try:
        codec = codecs.lookup(m.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    if codec in ("utf-8", "utf-16", "utf-32"):
        return None
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _nonempty(label: str, text: str) -> str:
    if not text.strip():
        raise InputError(label, "file is empty", E_EMPTY)
    return text


# --------------------------------------------------------------------------- formats

def detect_format(path: PathLike, text: Optional[str] = None) -> str:
    """"text", "html", "json" or "jsonl": by extension, else by sniffing `text`."""
    ext = Path(str(path)).suffix.lower()
    if ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    if text is None:
        return "text"
    head = text.lstrip("\ufeff \t\r\n")[:4096]
    if head.startswith("<") and _HTML_SNIFF_RE.search(head):
        return "html"
    if head.startswith("{") or head.startswith("["):
        return "json"
    return "text"


def _json_problem(e: Exception) -> str:
    if isinstance(e, json.JSONDecodeError):
        return f"JSON: {e.msg} at line {e.lineno} column {e.colno}"
    if isinstance(e, RecursionError):
        return "JSON: nested too deeply"
    return f"JSON: {str(e).splitlines()[0] if str(e) else e.__class__.__name__}"[:200]


def _loads(label: str, text: str):
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as e:
        raise InputError(label, _json_problem(e), E_BAD_JSON) from None


def document_from_html(html: str, path: str = "") -> Document:
    """A Document from a whole HTML page: main text (no chrome), title and date from markup."""
    page = extract_page(html)
    if not page.text.strip():
        raise InputError(str(path), "no article text found", E_NO_TEXT)
    meta = [("format", "html")]
    for key, value in (("url", page.url), ("outlet", page.outlet), ("byline", page.author)):
        if value:
            meta.append((key, value))
    return document_from_text(page.text, path=str(path), title=page.title, date=page.date, meta=meta)


def json_str(value) -> str:
    """A display string from a JSON value: "AFP", {"name": "AFP"}, [{"name": "AFP"}]."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dict):
        for k in ("name", "value", "literal", "code", "uri"):
            if k in value:
                s = json_str(value[k])
                if s:
                    return s
        return ""
    if isinstance(value, list):
        for item in value:
            s = json_str(item)
            if s:
                return s
    return ""


def _body_of(obj: dict) -> tuple[str, bool]:
    """(body, is_html) of a ninjs or plain JSON object; ("", False) when none."""
    bodies = obj.get("bodies")
    if isinstance(bodies, list):
        plain, html = [], []
        for b in bodies:
            if not isinstance(b, dict) or not isinstance(b.get("value"), str) or not b["value"].strip():
                continue
            ctype = str(b.get("contenttype") or b.get("contentType") or "text/plain").lower()
            role = str(b.get("role") or "main").lower()
            rank = 0 if role in ("main", "body", "text", "") else 1
            (html if "html" in ctype else plain).append((rank, b["value"]))
        if plain:
            return min(plain, key=lambda t: t[0])[1], False
        if html:
            return min(html, key=lambda t: t[0])[1], True
    for key in ("body_text", "body_plain"):
        v = obj.get(key)
        if isinstance(v, str) and v.strip():
            return v, False
    for key in ("text", "body", "content", "article", "article_text"):
        v = obj.get(key)
        if isinstance(v, str) and v.strip():
            return v, bool(_HTMLISH_RE.search(v[:20000]))
    for key in ("body_html", "body_xhtml", "html"):
        v = obj.get(key)
        if isinstance(v, str) and v.strip():
            return v, True
    return "", False


def _title_of(obj: dict) -> str:
    for key in ("headline", "title"):
        s = json_str(obj.get(key)) if isinstance(obj.get(key), str) else ""
        if s:
            return s
    heads = obj.get("headlines")
    if isinstance(heads, list):
        ranked = []
        for h in heads:
            if isinstance(h, dict) and isinstance(h.get("value"), str) and h["value"].strip():
                role = str(h.get("role") or "main").lower()
                ranked.append((0 if role in ("main", "") else 1, h["value"].strip()))
        if ranked:
            return min(ranked, key=lambda t: t[0])[1]
    return ""


def _date_of(obj: dict) -> Optional[str]:
    for key in (
        "versioncreated", "firstcreated", "contentcreated", "date", "published", "published_at",
        "datePublished", "pubdate", "created",
    ):
        v = obj.get(key)
        if isinstance(v, (str, int)) and not isinstance(v, bool):
            d = parse_date(v)
            if d:
                return d
    return None


def _meta_of(obj: dict) -> list[tuple[str, str]]:
    meta: list[tuple[str, str]] = []
    for key in ("uri", "guid", "id"):
        s = json_str(obj.get(key))
        if s:
            meta.append(("id", s))
            break
    for key in ("agency", "copyrightholder", "provider", "by"):
        s = json_str(obj.get(key))
        if s:
            meta.append(("agency", s))
            break
    for key, name in (("url", "url"), ("outlet", "outlet"), ("language", "language"),
                      ("byline", "byline"), ("path", "source")):
        s = json_str(obj.get(key)) if isinstance(obj.get(key), str) else ""
        if s:
            meta.append((name, s))
    return meta


def document_from_json(obj, path: str = "") -> Document:
    """A Document from one parsed JSON object (ninjs 1.x/2.x/3.x or {"text": …})."""
    label = str(path)
    if not isinstance(obj, dict):
        raise InputError(label, f"JSON: expected an object, got {type(obj).__name__}", E_FORMAT)
    body, is_html = _body_of(obj)
    if is_html:
        body = fragment_to_text(body)
    if not body.strip():
        raise InputError(label, "no article text found", E_NO_TEXT)
    fmt = "ninjs" if any(k in obj for k in ("bodies", "body_text", "body_html", "versioncreated", "uri")) else "json"
    return document_from_text(
        body, path=label, title=_title_of(obj), date=_date_of(obj), meta=[("format", fmt)] + _meta_of(obj)
    )


def _document_of_line(where: str, line: str) -> Union[Document, InputError]:
    """One JSON lines record as a Document, or the error that names its line."""
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError) as e:
        return InputError(where, _json_problem(e), E_BAD_JSON)
    try:
        return document_from_json(obj, where)
    except InputError as e:
        return e


def _iter_json_lines(label: str, text: str) -> Iterator[Union[Document, InputError]]:
    any_line = False
    for i, line in enumerate(text.split("\n")):
        line = line.strip().lstrip("\ufeff")
        if not line:
            continue
        any_line = True
        where = f"{label}#{i + 1}"
        yield _document_of_line(where, line)
    if not any_line:
        raise InputError(label, "file is empty", E_EMPTY)


def _iter_jsonl_bytes(label: str, data: bytes) -> Iterator[Union[Document, InputError]]:
    """JSON lines, each line decoded on its own, so one bad line spoils only itself."""
    if not data:
        raise InputError(label, "file is empty", E_EMPTY)
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        yield from _iter_json_lines(label, _normalise(_decode(label, data)))
        return
    _check_binary(label, data)
    if not data.strip():
        raise InputError(label, "file is empty", E_EMPTY)
    any_line = False
    pos = 0
    for i, raw in enumerate(data.split(b"\n")):
        start = pos
        pos += len(raw) + 1
        if not raw.strip():
            continue
        any_line = True
        where = f"{label}#{i + 1}"
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            yield InputError(where, f"not valid UTF-8 at byte {start + e.start}", E_UNDECODABLE)
            continue
        yield _document_of_line(where, line)
    if not any_line:
        raise InputError(label, "file is empty", E_EMPTY)


def _iter_json(label: str, text: str) -> Iterator[Union[Document, InputError]]:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        if e.msg == "Extra data":  # several objects: JSON lines under another name
            yield from _iter_json_lines(label, _normalise(text))
            return
        raise InputError(label, _json_problem(e), E_BAD_JSON) from None
    except (ValueError, RecursionError) as e:
        raise InputError(label, _json_problem(e), E_BAD_JSON) from None
    if isinstance(obj, list):
        if not obj:
            raise InputError(label, "no article text found", E_NO_TEXT)
        for i, item in enumerate(obj):
            try:
                yield document_from_json(item, f"{label}#{i + 1}")
            except InputError as e:
                yield e
        return
    yield document_from_json(obj, label)


def iter_documents(path: PathLike) -> Iterator[Union[Document, InputError]]:
    """The documents of one file, in order.

    For JSON lines (and JSON arrays) a line that cannot be read is yielded as an
    :class:`InputError` naming ``path#line`` (1-based) and the other lines still come.
    A problem with the whole file (not found, too large, binary, undecodable, empty, bad
    JSON, no text) is raised as :class:`InputError` when iteration starts.
    """
    label = str(path)
    data = _read_bytes(path)
    fmt = detect_format(path) if Path(label).suffix.lower() in _EXTENSIONS else None
    if fmt == "jsonl":
        yield from _iter_jsonl_bytes(label, data)
        return
    text = _decode(label, data, declared_charset=(fmt in (None, "html")))
    if fmt is None:
        fmt = detect_format(path, text)
    if fmt == "html":
        yield document_from_html(text, label)
    elif fmt == "json":
        yield from _iter_json(label, text.lstrip("\ufeff"))
    else:
        yield _text_document(text, label)


def read_documents(path: PathLike) -> list[Document]:
    """The documents of one file: one for .txt/.html/.htm/.json, one per line for .jsonl.

    Lines of a JSON lines file that cannot be read are skipped with a warning on the
    ``attribution.io.readers`` logger; :class:`InputError` is raised only when no line at all
    could be read (the first line's error). Use :func:`iter_documents` for per-line errors.
    """
    docs: list[Document] = []
    first_error: Optional[InputError] = None
    for item in iter_documents(path):
        if isinstance(item, InputError):
            if first_error is None:
                first_error = item
            log.warning("skipped %s", item)
        else:
            docs.append(item)
    if not docs:
        raise first_error or InputError(str(path), "no article text found", E_NO_TEXT)
    return docs

