"""The data every stage passes on: frozen dataclasses, no third-party imports.

Every span is a pair of character offsets into the text of the document it was
found in, so ``doc.text[span.start:span.end] == span.text`` always holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

QUOTE_KINDS = ("direct", "partial", "split", "multi_paragraph", "indirect")
SPEAKER_METHODS = ("name", "pronoun", "role", "metonym", "according_to", "carryover")
SPEAKER_TYPES = ("person", "organization", "government", "group", "unknown")
VERDICTS = ("confirmed", "paraphrased", "altered", "misattributed", "unverified")
DIFFERENCE_KINDS = (
    "number", "negation", "entity", "modal", "wording", "spelling", "punctuation", "speaker",
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str

    @classmethod
    def of(cls, text: str, start: int, end: int) -> "Span":
        return cls(start, end, text[start:end])

    def to_json(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class Document:
    """An article or wire item as read: the clean text and what was known about it."""

    text: str
    path: str = ""
    title: str = ""
    date: Optional[str] = None  # ISO yyyy-mm-dd when known
    dateline: Optional[Span] = None  # "MOSCOW, Aug 27 (Reuters) –": metadata, never a speaker
    paragraphs: tuple[Span, ...] = ()
    meta: tuple[tuple[str, str], ...] = ()  # extra header fields (agency, id, url, …)

    def meta_get(self, key: str, default: Optional[str] = None) -> Optional[str]:
        for k, v in self.meta:
            if k == key:
                return v
        return default


@dataclass(frozen=True)
class Speaker:
    name: str  # canonical: fullest form in the document, titles stripped; "" when unknown
    type: str = "unknown"  # one of SPEAKER_TYPES
    method: str = "name"  # one of SPEAKER_METHODS
    mention: Optional[Span] = None  # the words naming the speaker at the cue
    confidence: float = 0.0

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "type": self.type,
            "method": self.method,
            "mention": self.mention.to_json() if self.mention else None,
            "confidence": round(self.confidence, 3),
        }


UNKNOWN_SPEAKER = Speaker(name="", type="unknown", method="name", mention=None, confidence=0.0)


@dataclass(frozen=True)
class Quote:
    id: str
    kind: str  # one of QUOTE_KINDS
    parts: tuple[Span, ...]
    cue: Optional[Span] = None
    speaker: Speaker = UNKNOWN_SPEAKER
    # for a partial quote inside a reported clause: the id of that indirect quote
    within: Optional[str] = None

    @property
    def text(self) -> str:
        if self.kind == "split":
            return " ... ".join(p.text for p in self.parts)
        return " ".join(p.text for p in self.parts)

    @property
    def start(self) -> int:
        return self.parts[0].start

    @property
    def end(self) -> int:
        return self.parts[-1].end

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "text": self.text,
            "parts": [p.to_json() for p in self.parts],
            "kind": self.kind,
            "cue": self.cue.to_json() if self.cue else None,
            "speaker": self.speaker.to_json(),
        }


@dataclass(frozen=True)
class Difference:
    op: str  # replace | insert | delete
    article: str
    wire: str
    kind: str  # one of DIFFERENCE_KINDS

    def to_json(self) -> dict:
        return {"op": self.op, "article": self.article, "wire": self.wire, "kind": self.kind}


@dataclass(frozen=True)
class Evidence:
    wire_id: str
    agency: str
    date: Optional[str]
    headline: str
    text: str
    start: int
    end: int
    speaker: str
    similarity: float
    verdict: str
    differences: tuple[Difference, ...] = ()

    def to_json(self) -> dict:
        return {
            "wire_id": self.wire_id,
            "agency": self.agency,
            "date": self.date,
            "headline": self.headline,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "speaker": self.speaker,
            "similarity": round(self.similarity, 1),
            "verdict": self.verdict,
            "differences": [d.to_json() for d in self.differences],
        }


@dataclass(frozen=True)
class CheckedQuote:
    quote: Quote
    verdict: str
    evidence: tuple[Evidence, ...] = ()

    def to_json(self) -> dict:
        out = self.quote.to_json()
        out["verdict"] = self.verdict
        out["evidence"] = [e.to_json() for e in self.evidence]
        return out


@dataclass(frozen=True)
class Analysis:
    """One document with its quotes (and, after `check`, verdicts)."""

    document: Document
    quotes: tuple[Quote, ...]
    checked: Optional[tuple[CheckedQuote, ...]] = None
