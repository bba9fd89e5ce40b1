"""Datelines and dates: "MOSCOW, Aug 27 (Reuters) –", "BODØ, Norway, Feb 19, 2026 —".

A dateline opens the first paragraph of a news story: a place (usually in capitals),
optionally a country or region, optionally a date, optionally the agency in brackets, then a
dash (or, in TASS and Interfax style, a period). It is metadata, never a speaker.

Linear time on any input: the patterns are only ever tried at a bounded number of
paragraph starts, each on a window of at most ``_WINDOW`` characters, so no input can make
them backtrack for long (a 1 MB line of "A, A, A, …" costs one window).
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Optional

from attribution.model import Span

__all__ = [
    "find_dateline", "match_dateline", "dateline_date", "dateline_parts", "parse_date",
    "date_from_match", "find_date_paragraph", "DATELINE_RE",
]

_WINDOW = 240  # no dateline is longer than this
_SP = r"[ \u00a0]{1,3}"

_MONTH = (
    r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:tember|t)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![^\W\d_])\.?"
)
_WEEKDAY = (
    r"(?:(?i:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?i:day|nesday|sday|urday|rsday)?"
    r"\.?,?" + _SP + r")?"
)


def _date_pattern(tag: str) -> str:
    """A date: "Aug 27", "Feb 19, 2026", "21 May 2026", "August 27", "2026-03-04"."""
    return (
        _WEEKDAY
        + r"(?:"
        + rf"(?P<{tag}iso>(?P<{tag}iy>\d{{4}})[-/.](?P<{tag}im>\d{{1,2}})[-/.](?P<{tag}id>\d{{1,2}}))(?!\d)"
        + rf"|(?P<{tag}m1>{_MONTH}){_SP}(?P<{tag}d1>\d{{1,2}})(?:st|nd|rd|th)?(?!\d)"
        + rf"(?:,?{_SP}(?P<{tag}y1>\d{{4}})(?!\d))?"
        + rf"|(?P<{tag}d2>\d{{1,2}})(?:st|nd|rd|th)?\.?{_SP}(?P<{tag}m2>{_MONTH})"
        + rf"(?:,?{_SP}(?P<{tag}y2>\d{{4}})(?!\d))?"
        + r")"
    )


# A word of a place name: a letter, then letters, digits, apostrophes, dots, hyphens.
_W = r"[^\W\d_][\w'’.\-]{0,30}"
_PARTICLES = {
    "and", "of", "the", "de", "del", "della", "da", "das", "do", "dos", "di", "la", "le",
    "les", "el", "al", "am", "an", "im", "von", "van", "der", "den", "sur", "upon", "on", "y",
    "en", "au", "aux",
}
_MONTH_WORDS = {
    "jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun", "june",
    "jul", "july", "aug", "august", "sep", "sept", "september", "oct", "october", "nov",
    "november", "dec", "december",
}
_WEEKDAY_WORDS = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "mon", "tue", "tues", "wed", "thu", "thurs", "fri", "sat", "sun",
}
# Words that open body sentences in capitals and are never places.
_NOT_PLACES = {"I", "A", "AN", "THE", "UPDATE", "UPDATED", "BREAKING", "EXCLUSIVE", "NOTE", "Q", "NB", "PS"}

DATELINE_RE = re.compile(
    # the place: up to six words joined by spaces or slashes ("MEXICO CITY", "KYIV/MOSCOW")
    rf"(?P<place>{_W}(?:[ \u00a0]{_W}|/{_W}){{0,5}})"
    # a TASS-style region: "ZHUKOVSKY /Moscow Region/"
    r"(?P<region>[ \u00a0]{1,2}/[^/\n]{1,40}/)?"
    # a country or state: ", North Macedonia", ", Norway" (never a month)
    rf"(?:,{_SP}(?P<country>(?!{_MONTH}[ \u00a0\d]){_W}(?:[ \u00a0]{_W}){{0,4}}))?"
    # a date: ", Feb 19, 2026", ". Aug 27" (Interfax), " 21 May 2026"
    rf"(?:[,.]?{_SP}(?P<date>{_date_pattern('')}))?"
    # the agency: "(Reuters)", "(AFP)"
    r"(?P<agency>[ \u00a0]{0,2}\([^\W\d_][^()\n]{0,30}\))?"
    # the separator
    r"(?P<sep>[ \u00a0]{0,3}(?:--|[–—―‒])"
    r"|[ \u00a0]{1,3}-(?=[ \u00a0\n]|$)|-(?=[ \u00a0\n])"
    r"|[ \u00a0]{0,2}:(?=[ \u00a0\n]|$)"
    r"|\.(?:[ \u00a0]{1,2}/[^\W\d_][\w-]{0,15}/\.?)?(?=[ \u00a0\n]|$))"
)

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}

_DATE_SEARCH_RE = re.compile(rf"(?<![\w\d])(?:{_date_pattern('')})")
_DATE_PARA_RE = re.compile(
    r"(?i:(?:last[ \u00a0])?(?:updated|published|posted|first[ \u00a0]published|date|dated)"
    r"(?:[ \u00a0]on)?:?[ \u00a0]{0,3})?"
    rf"(?:{_date_pattern('')})"
)


def _iso(year: Optional[str], month: Optional[int], day: Optional[str]) -> Optional[str]:
    if not year or not month or not day:
        return None
    try:
        return _dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _month_number(name: Optional[str]) -> Optional[int]:
    if not name:
        return None
    return _MONTHS.get(name.strip(".").lower()[:3])


def date_from_match(m: "re.Match[str]", tag: str = "") -> Optional[str]:
    """The ISO date (yyyy-mm-dd) of a match of a date pattern, or None without a year."""
    g = m.groupdict()
    if g.get(f"{tag}iso"):
        try:
            return _iso(g[f"{tag}iy"], int(g[f"{tag}im"]), g[f"{tag}id"])
        except (TypeError, ValueError):
            return None
    if g.get(f"{tag}m1"):
        return _iso(g.get(f"{tag}y1"), _month_number(g[f"{tag}m1"]), g.get(f"{tag}d1"))
    if g.get(f"{tag}m2"):
        return _iso(g.get(f"{tag}y2"), _month_number(g[f"{tag}m2"]), g.get(f"{tag}d2"))
    return None


def parse_date(value: object) -> Optional[str]:
    """Normalise a date string to yyyy-mm-dd, or None when it has no full date (year included).

    Accepts ISO dates and timestamps ("2026-03-04T09:15:00Z"), "Feb 19, 2026",
    "21 May 2026", "Updated 12 August 2026, 16:40 CET" and RFC 2822 dates.
    """
    if value is None:
        return None
    s = str(value).strip()[:200]
    if not s:
        return None
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", s)
    if m:
        return _iso(m.group(1), int(m.group(2)), m.group(3))
    m = _DATE_SEARCH_RE.search(s)
    if m:
        iso = date_from_match(m)
        if iso:
            return iso
    try:
        from email.utils import parsedate_to_datetime

        return parsedate_to_datetime(s).date().isoformat()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper()


def _valid(m: "re.Match[str]") -> bool:
    place = m.group("place")
    words = re.split(r"[ \u00a0/]", place)
    letters = [c for c in place if c.isalpha()]
    if len(letters) < 2:
        return False
    first = words[0].strip(".").lower()
    if first in _MONTH_WORDS or first in _WEEKDAY_WORDS:
        return False
    if words[0] in _NOT_PLACES and len(words) == 1:
        return False
    has_date = bool(m.group("date"))
    has_agency = bool(m.group("agency"))
    sep = m.group("sep").strip()
    if sep[:1] in ".:" and not (has_date or has_agency):
        return False  # "MOSCOW." or "NOTE:" alone is a sentence, not a dateline
    all_caps = place.upper() == place
    if not all_caps:
        # "Oslo, Feb 19, 2026 (AFP) -", "Struga, North Macedonia (AFP) -": title case is a
        # dateline only with an agency or a date.
        if not (has_agency or has_date):
            return False
        if not all(_is_capitalised(w) or w.lower() in _PARTICLES for w in words if w):
            return False
        if not _is_capitalised(words[0]):
            return False
    country = m.group("country")
    if country:
        cwords = [w for w in re.split(r"[ \u00a0]", country) if w]
        if not all(_is_capitalised(w) or w.lower() in _PARTICLES for w in cwords):
            return False
        if not _is_capitalised(cwords[0]):
            return False
    return True


def match_dateline(text: str, pos: int) -> Optional[Span]:
    """The dateline starting exactly at `pos` (a paragraph start), or None."""
    window = text[pos:pos + _WINDOW]
    nl = window.find("\n")
    if nl >= 0:
        window = window[:nl]
    m = DATELINE_RE.match(window)
    if not m or not _valid(m):
        return None
    end = pos + m.end()
    return Span.of(text, pos, end)


def dateline_date(span: Optional[Span]) -> Optional[str]:
    """The ISO date written in a dateline, or None (no date, or no year)."""
    if span is None:
        return None
    m = DATELINE_RE.match(span.text)
    if not m or not m.group("date"):
        return None
    return date_from_match(m)


def dateline_parts(span: Optional[Span]) -> dict:
    """The parts of a dateline: place, region, country, date (as written), iso_date, agency."""
    if span is None:
        return {}
    m = DATELINE_RE.match(span.text)
    if not m:
        return {}
    agency = (m.group("agency") or "").strip().strip("()").strip()
    if not agency:
        tass = re.search(r"/([^\W\d_][\w-]{0,15})/\.?$", m.group("sep") or "")
        agency = tass.group(1) if tass else ""
    return {
        "place": m.group("place"),
        "region": (m.group("region") or "").strip().strip("/") or None,
        "country": m.group("country"),
        "date": m.group("date"),
        "iso_date": date_from_match(m) if m.group("date") else None,
        "agency": agency or None,
    }


def _line_starts(text: str, start: int, max_lines: int):
    """Positions of the first non-blank character of the next `max_lines` non-blank lines."""
    n = len(text)
    pos = max(0, start)
    if pos > 0:
        line_start = text.rfind("\n", 0, pos) + 1
        if text[line_start:pos].strip():  # `start` is inside a line: begin at the next one
            nl = text.find("\n", pos)
            if nl < 0:
                return
            pos = nl + 1
    seen = 0
    while pos < n and seen < max_lines:
        # skip whitespace (blank lines) without scanning more than needed
        while pos < n and text[pos].isspace():
            pos += 1
            if pos - start > 100_000:  # pathological: an ocean of whitespace
                return
        if pos >= n:
            return
        yield pos
        seen += 1
        nl = text.find("\n", pos)
        if nl < 0:
            return
        pos = nl + 1


def find_dateline(text: str, start: int = 0, *, max_paragraphs: int = 8) -> Optional[Span]:
    """The dateline at the start of one of the first `max_paragraphs` lines from `start`
    (a position inside a line means: from the next line).

    Returns the span of the dateline up to and including its separator
    ("MOSCOW, Aug 27 (Reuters) -", "ZHUKOVSKY /Moscow Region/, August 27."), or None.
    A sentence that merely opens with a capitalised word is not a dateline: the place must be
    in capitals, or be followed by a date or an agency in brackets, and then a separator.
    """
    for pos in _line_starts(text, start, max_paragraphs):
        span = match_dateline(text, pos)
        if span is not None:
            return span
    return None


def find_date_paragraph(paragraph: str) -> Optional[str]:
    """The date of a short date line near the top of a page ("Updated 12 August 2026, 16:40
    CET", "Published: 2026-03-04", "March 4, 2026"), or None."""
    if len(paragraph) > 100:
        return None
    m = _DATE_PARA_RE.match(paragraph)
    if not m:
        return None
    return date_from_match(m)
