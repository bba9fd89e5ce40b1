"""Words, their shapes and their position relative to quote marks. No third-party imports."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from attribution.detect.marks import scan

WORD = re.compile(r"''|``|\w+(?:[-'’.]\w+)*|[^\w\s]", re.UNICODE)
QUOTE_MARKS = set("“”„«»\"‹›") | {"''", "``"}

# shape ids (0 is padding)
SHAPE_LOWER, SHAPE_TITLE, SHAPE_UPPER, SHAPE_DIGIT, SHAPE_PUNCT, SHAPE_QUOTE, SHAPE_OTHER = range(1, 8)
N_SHAPES = 8
# quote position ids (0 is padding)
Q_OUT, Q_IN, Q_OPEN, Q_CLOSE = range(1, 5)
N_QUOTE = 5


@dataclass(frozen=True)
class Words:
    """The words of one stretch of text, with absolute character offsets."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    texts: tuple[str, ...]
    shapes: tuple[int, ...]
    quote: tuple[int, ...]

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
