"""Reading wire copy: text with headers, ninjs JSON (1.x-3.x), JSON lines and HTML.

Every reader gives :class:`WireItem` objects whose ``body`` is the text that all stored
offsets index (``document.text``: the same clean text the article readers give, so a
wire item can be analysed by the pipeline like an article).

Text files::

    Agency: TASS
    Date: 2019-08-27
    Headline: Putin, Erdogan outline joint steps on Idlib
    ID: tass-2019-08-27-001          (optional; also URL, Language, Byline)

    body…

An item's id is its ``ID`` header (ninjs ``uri``/``guid``, JSON ``id``); without one it is
the sha256 of agency, date, headline and body, so that the same item read twice is one
item. ``content_hash`` covers everything stored; an item that comes back under the same
id with another hash is a corrected version and replaces the old one.

A file that cannot be read raises :class:`attribution.errors.InputError`; in a JSON lines
file or a JSON array a bad line is reported (``path#line``) and the other lines come
through. ninjs items whose ``pubstatus`` is ``withheld`` or ``canceled`` are skipped with
a note.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Optional, Union

from attribution.errors import (
    E_BAD_JSON,
    E_EMPTY,
    E_FORMAT,
    E_NO_TEXT,
    InputError,
)
from attribution.io.readers import _decode, _normalise, _read_bytes, json_str
from attribution.model import Document

WIRE_EXTENSIONS = {".txt", ".text", ".json", ".ninjs", ".jsonl", ".ndjson", ".html", ".htm", ".xml"}
_HEADER_RE = re.compile(r"^([A-Za-z][A-Za-z -]{0,30}):[ \t]*(.*)$")
_KNOWN_HEADERS = {"agency", "date", "headline", "id", "url", "language", "byline", "title",
                  "source", "slug", "time", "dateline", "category", "keywords"}


@dataclass(frozen=True)
class WireItem:
    id: str
    agency: str
    date: Optional[str]
    headline: str
    body: str
    url: str = ""
    language: str = ""
    byline: str = ""
    source: str = ""  # file (and #line) it came from
    document: Optional[Document] = field(default=None, compare=False, repr=False)

    @property
    def content_hash(self) -> str:
        h = hashlib.sha256()
        for part in (self.agency, self.date or "", self.headline, self.url, self.language,
                     self.byline, self.body):
            h.update(part.encode("utf-8", "surrogatepass"))
            h.update(b"\x00")
        return h.hexdigest()


@dataclass(frozen=True)
class Skipped:
    """A file, line or item that was not read, with a one-line reason."""

    source: str
    reason: str
    error: bool = True  # False for a deliberate skip (a withheld ninjs item)

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


def item_id(agency: str, date: Optional[str], headline: str, body: str) -> str:
    h = hashlib.sha256()
    for part in (agency, date or "", headline, body):
        h.update(" ".join(part.split()).encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return "sha256:" + h.hexdigest()[:32]


def _document(body: str, source: str, headline: str, date: Optional[str], meta) -> Document:
    try:
        from attribution.io.readers import document_from_text
    except ImportError:  # pragma: no cover - the readers are part of the package
        return Document(text=body.strip(), path=source, title=headline, date=date, meta=tuple(meta))
    return document_from_text(body, path=source, title=headline, date=date, meta=meta)


def make_item(
    *, body: str, agency: str = "", date: Optional[str] = None, headline: str = "",
    id: str = "", url: str = "", language: str = "", byline: str = "", source: str = "",
    document: Optional[Document] = None,
) -> WireItem:
    """A WireItem whose body is the clean text of its Document (all offsets index it)."""
    meta = [(k, v) for k, v in (("agency", agency), ("id", id), ("url", url),
                                ("language", language), ("byline", byline)) if v]
    doc = document or _document(body, source, headline, date, meta)
    if date is None:
        date = doc.date
    else:
        date = _iso(date) or doc.date
    if not doc.text.strip():
        raise InputError(source, "no text", E_NO_TEXT)
    agency = agency.strip()
    headline = " ".join((headline or doc.title or "").split())
    wid = id.strip() or item_id(agency, date, headline, doc.text)
    return WireItem(id=wid, agency=agency, date=date, headline=headline, body=doc.text,
                    url=url.strip(), language=language.strip(), byline=byline.strip(),
                    source=source, document=doc)


def _iso(value) -> Optional[str]:
    try:
        from attribution.io.dateline import parse_date

        d = parse_date(value)
        if d:
            return d
    except Exception:
        pass
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", str(value or ""))
    return "-".join(m.groups()) if m else None


# --------------------------------------------------------------------------- bytes


def _read_text(path: Path) -> str:
    """The file as text, read and decoded as articles are (size limit, BOMs, binary and
    undecodable files refused with one-line errors), line ends made \\n."""
    return _normalise(_decode(str(path), _read_bytes(path)))


# --------------------------------------------------------------------------- formats


def parse_header_text(text: str, source: str = "") -> WireItem:
    """A wire text file: ``Key: value`` header lines, a blank line, the body.

    Without a header block the whole text is the body (agency and date unknown unless a
    dateline gives them).
    """
    lines = text.lstrip("\n").split("\n")
    headers: dict[str, str] = {}
    i = 0
    while i < len(lines) and lines[i].strip():
        m = _HEADER_RE.match(lines[i].strip())
        if not m or m.group(1).strip().lower() not in _KNOWN_HEADERS:
            break
        headers[m.group(1).strip().lower()] = m.group(2).strip()
        i += 1
    if headers and (i >= len(lines) or not lines[i].strip()):
        body = "\n".join(lines[i + 1 :])
    else:
        headers = {}
        body = text
    if not body.strip():
        raise InputError(source, "no body after the header lines", E_NO_TEXT)
    return make_item(
        body=body, agency=headers.get("agency", ""), date=headers.get("date") or None,
        headline=headers.get("headline") or headers.get("title", ""), id=headers.get("id", ""),
        url=headers.get("url", ""), language=headers.get("language", ""),
        byline=headers.get("byline", ""), source=source,
    )


def item_from_json(obj, source: str = "") -> Union[WireItem, Skipped]:
    """One ninjs (1.x-3.x) or plain JSON object ({agency, date, headline, body|text, id})."""
    if not isinstance(obj, dict):
        raise InputError(source, f"JSON: expected an object, got {type(obj).__name__}", E_FORMAT)
    status = json_str(obj.get("pubstatus") or obj.get("pubStatus")).lower()
    if status in ("withheld", "canceled", "cancelled", "usable:withheld"):
        return Skipped(source, f"pubstatus {status}: not ingested", error=False)
    try:
        from attribution.io.readers import document_from_json
    except ImportError:  # pragma: no cover
        document_from_json = None
    agency = ""
    for key in ("agency", "copyrightholder", "provider", "by", "source"):
        agency = json_str(obj.get(key))
        if agency:
            break
    wid = ""
    for key in ("uri", "guid", "id", "ID"):
        wid = json_str(obj.get(key))
        if wid:
            break
    if document_from_json is not None:
        doc = document_from_json(obj, source)
        headline, date, body = doc.title, doc.date, doc.text
    else:  # pragma: no cover
        body = json_str(obj.get("body") or obj.get("text") or obj.get("body_text"))
        headline = json_str(obj.get("headline"))
        date = _iso(obj.get("date") or obj.get("versioncreated"))
        doc = None
        if not body:
            raise InputError(source, "no text", E_NO_TEXT)
    language = json_str(obj.get("language") or obj.get("lang"))
    byline = json_str(obj.get("byline")) if isinstance(obj.get("byline"), str) else ""
    url = json_str(obj.get("url")) if isinstance(obj.get("url"), str) else ""
    return make_item(body=body, agency=agency, date=date, headline=headline, id=wid, url=url,
                     language=language, byline=byline, source=source, document=doc)


def _json_error(e: Exception) -> str:
    if isinstance(e, json.JSONDecodeError):
        return f"invalid JSON ({e.msg} at line {e.lineno} column {e.colno})"
    return f"invalid JSON ({e.__class__.__name__})"


def _json_lines(text: str, label: str) -> Iterator[Union[WireItem, Skipped]]:
    any_line = False
    for n, line in enumerate(text.split("\n"), 1):
        line = line.strip()
        if not line:
            continue
        any_line = True
        where = f"{label}#{n}"
        try:
            obj = json.loads(line)
            yield item_from_json(obj, where)
        except InputError as e:
            yield Skipped(where, e.problem)
        except (ValueError, RecursionError) as e:
            yield Skipped(where, _json_error(e))
    if not any_line:
        raise InputError(label, "file is empty", E_EMPTY)


def _json_file(text: str, label: str) -> Iterator[Union[WireItem, Skipped]]:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        if e.msg == "Extra data":
            yield from _json_lines(text, label)
            return
        raise InputError(label, _json_error(e), E_BAD_JSON) from None
    except (ValueError, RecursionError) as e:
        raise InputError(label, _json_error(e), E_BAD_JSON) from None
    if isinstance(obj, dict) and isinstance(obj.get("items"), list):
        obj = obj["items"]
    if isinstance(obj, list):
        if not obj:
            raise InputError(label, "no wire items in the file", E_NO_TEXT)
        for n, o in enumerate(obj, 1):
            try:
                yield item_from_json(o, f"{label}#{n}")
            except InputError as e:
                yield Skipped(f"{label}#{n}", e.problem)
        return
    yield item_from_json(obj, label)


def _html_file(path: Path, label: str) -> Iterator[WireItem]:
    from attribution.io.readers import read_documents

    for doc in read_documents(path):
        agency = doc.meta_get("agency", "") or ""
        if not agency and doc.dateline is not None:
            m = re.search(r"\((Reuters|AFP|AP|TASS|Interfax|dpa|Xinhua|ANSA|EFE)\)", doc.dateline.text)
            agency = m.group(1) if m else ""
        yield make_item(body=doc.text, agency=agency, date=doc.date, headline=doc.title,
                        id=doc.meta_get("id", "") or "", url=doc.meta_get("url", "") or "",
                        source=label, document=doc)


def read_wire_file(path: Union[str, os.PathLike]) -> Iterator[Union[WireItem, Skipped]]:
    """The wire items of one file. Raises InputError when the file as a whole is bad; a
    bad line of a JSON lines file or a withheld ninjs item comes as :class:`Skipped`."""
    p = Path(path)
    label = str(path)
    suffix = p.suffix.lower()
    if suffix in (".html", ".htm", ".xhtml"):
        yield from _html_file(p, label)
        return
    text = _read_text(p)
    stripped = text.lstrip()
    if suffix in (".jsonl", ".ndjson"):
        yield from _json_lines(text, label)
    elif suffix in (".json", ".ninjs") or stripped.startswith(("{", "[")):
        yield from _json_file(text, label)
    elif stripped.lower().startswith(("<!doctype html", "<html")):
        yield from _html_file(p, label)
    else:
        yield parse_header_text(text, label)


def iter_wire_files(paths: Iterable[Union[str, os.PathLike]]) -> Iterator[Path]:
    """Files named, and the wire files under folders named (recursively, sorted)."""
    for path in paths:
        p = Path(path)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    fp = Path(root) / f
                    if not f.startswith(".") and fp.suffix.lower() in WIRE_EXTENSIONS:
                        yield fp
        else:
            yield p


def read_wires(paths: Iterable[Union[str, os.PathLike]]) -> Iterator[Union[WireItem, Skipped]]:
    """Every item of every file; files that cannot be read come as Skipped."""
    for fp in iter_wire_files(paths):
        try:
            yield from read_wire_file(fp)
        except InputError as e:
            yield Skipped(e.path or str(fp), e.problem)
