"""Quote marks: find the quoted stretches of a text, paragraph by paragraph.

Pure character scanning, linear in the text, no third-party imports. A missing
closing mark never fails: the quote runs to the end of its paragraph, and a
paragraph that opens a quote without closing it is joined to the next
paragraph when that one opens with a quote mark again (multi-paragraph quotes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

# opener -> closers it accepts. Straight quotes open and close themselves.
DOUBLE_OPENERS = {
    "“": "”\"",
    "„": "“”",
    "«": "»",
    "\"": "\"”",
    "‹": "›",
}
# Single marks only count inside a double-quoted stretch (nested quotes), where an
# apostrophe cannot break the pairing of the outer marks anyway.
ALL_MARKS = frozenset("“”„«»\"‹›‘’‚'")
OPEN_CONTEXT = set(" \t\n\r([{—–-/\u00a0:")


@dataclass(frozen=True)
class Segment:
    """One quoted stretch inside one paragraph.

    `start`/`end` delimit the words between the marks (whitespace trimmed);
    `open_at` is the opening mark's offset, `close_at` the closing mark's or None
    when the paragraph ended first.
    """

    para: int
    open_at: int
    close_at: Optional[int]
    start: int
    end: int
    close_len: int = 1  # 2 for a closing ''

    @property
    def after(self) -> int:
        """Offset just past the closing mark (or the paragraph end when unclosed)."""
        return self.close_at + self.close_len if self.close_at is not None else self.end


@dataclass(frozen=True)
class QuotedRun:
    """A quote as printed: one segment, or several for a multi-paragraph quote."""

    segments: tuple[Segment, ...]

    @property
    def multi_paragraph(self) -> bool:
        return len(self.segments) > 1


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _straight_opens(text: str, i: int, lo: int) -> bool:
    return i == lo or text[i - 1] in OPEN_CONTEXT


def _closes_by_context(text: str, j: int, hi: int) -> bool:
    nxt = text[j + 1] if j + 1 < hi else " "
    return not text[j - 1].isspace() and (nxt.isspace() or nxt in ",.;:!?)—–-")


def _mark_at(text: str, i: int) -> str:
    """The quote mark starting at i: one character, or two apostrophes ('') used as one."""
    if text[i] == "'" and text[i + 1 : i + 2] == "'":
        return "''"
    return text[i]


def scan_paragraph(text: str, lo: int, hi: int, para: int) -> list[Segment]:
    """Quoted segments of text[lo:hi] (one paragraph); nested marks stay inside."""
    out: list[Segment] = []
    i = lo
    while i < hi:
        ch = _mark_at(text, i)
        key = "\"" if ch == "''" else ch
        if key in DOUBLE_OPENERS and (key != "\"" or _straight_opens(text, i, lo)):
            closers = DOUBLE_OPENERS[key]
            j = i + len(ch)
            close_at = None
            close_len = 1
            while j < hi:
                cj = _mark_at(text, j) if text[j] == "'" else text[j]
                if cj == "''" and ch == "''":
                    close_at, close_len = j, 2
                    break
                if cj not in closers and cj in "“”" and key in "“\"" and _closes_by_context(text, j, hi):
                    cj = closers[0]  # a wrong-way curly mark where a closing one belongs
                if cj in closers and (ch != "''" or cj != "\""):
                    # a straight quote in an opening position inside a straight-quoted
                    # stretch means the previous closing mark was lost: stop there
                    if key == "\"" and j + 1 < hi and text[j - 1].isspace() and text[j + 1].isalnum():
                        break
                    close_at = j
                    break
                j += 1
            end = close_at if close_at is not None else j
            s, e = _trim(text, i + len(ch), end)
            if e > s:
                out.append(Segment(para, i, close_at, s, e, close_len if close_at is not None else 0))
            i = (close_at + close_len) if close_at is not None else end
            continue
        i += 1
    return out


def scan(text: str, paragraphs: Iterable[tuple[int, int]]) -> list[QuotedRun]:
    """All quoted runs in `text`, given its paragraphs as (start, end) pairs."""
    runs: list[QuotedRun] = []
    pending: list[Segment] = []  # an open multi-paragraph chain
    for p, (lo, hi) in enumerate(paragraphs):
        segs = scan_paragraph(text, lo, hi, p)
        k = 0
        if pending:
            first = segs[0] if segs else None
            if first is not None and first.open_at == _first_nonspace(text, lo, hi):
                pending.append(first)
                k = 1
                if first.close_at is not None or len(segs) > 1:
                    runs.append(QuotedRun(tuple(pending)))
                    pending = []
            else:
                runs.append(QuotedRun(tuple(pending)))
                pending = []
        rest = segs[k:]
        for n, seg in enumerate(rest):
            last = n == len(rest) - 1
            if last and seg.close_at is None and not pending:
                pending = [seg]
            else:
                runs.append(QuotedRun((seg,)))
    if pending:
        runs.append(QuotedRun(tuple(pending)))
    return runs


def _first_nonspace(text: str, lo: int, hi: int) -> int:
    while lo < hi and text[lo].isspace():
        lo += 1
    return lo
