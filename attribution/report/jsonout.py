"""JSON and JSON lines in the `attribution.check/1` schema.

One object per article:

    {"schema": "attribution.check/1",
     "article": {"path", "title", "date", "dateline"[, "text"]},
     "quotes": [...],
     "summary": {"quotes": N, ...}}

Before `check` the quotes carry no `verdict`/`evidence` and the summary counts
quotes per kind (every kind, zeros included); after `check` each quote has its
verdict and evidence and the summary counts quotes per verdict (every verdict).
"""

from __future__ import annotations

import json
from typing import Iterable, Iterator, TextIO

from ..model import QUOTE_KINDS, VERDICTS, Analysis, Quote
from . import SCHEMA


def quote_to_json(quote: Quote) -> dict:
    out = quote.to_json()
    # the enclosing indirect quote of a partial one; null otherwise
    out["within"] = quote.within
    return out


def summary(analysis: Analysis) -> dict:
    """Counts: per verdict once checked, per kind before."""
    if analysis.checked is not None:
        counts = {"quotes": len(analysis.checked)}
        counts.update({v: 0 for v in VERDICTS})
        for cq in analysis.checked:
            counts[cq.verdict] = counts.get(cq.verdict, 0) + 1
        return counts
    counts = {"quotes": len(analysis.quotes)}
    counts.update({k: 0 for k in QUOTE_KINDS})
    for q in analysis.quotes:
        counts[q.kind] = counts.get(q.kind, 0) + 1
    return counts


def analysis_to_json(analysis: Analysis, *, include_text: bool = False) -> dict:
    doc = analysis.document
    article: dict = {
        "path": doc.path,
        "title": doc.title,
        "date": doc.date,
        "dateline": doc.dateline.to_json() if doc.dateline else None,
    }
    if include_text:
        article["text"] = doc.text
    if analysis.checked is not None:
        quotes = []
        for cq in analysis.checked:
            q = cq.to_json()
            q["within"] = cq.quote.within
            quotes.append(q)
    else:
        quotes = [quote_to_json(q) for q in analysis.quotes]
    return {
        "schema": SCHEMA,
        "article": article,
        "quotes": quotes,
        "summary": summary(analysis),
    }


def dumps(obj: dict, *, indent: int | None = None) -> str:
    # ensure_ascii=False: quote marks and names with diacritics stay readable
    return json.dumps(obj, ensure_ascii=False, indent=indent)


def write_json(
    analyses: Iterable[Analysis],
    out: TextIO,
    *,
    include_text: bool = False,
    as_array: bool = False,
) -> int:
    """One indented object, or (as_array) a JSON array written one article at a time."""
    n = 0
    if not as_array:
        for analysis in analyses:
            if n:
                raise ValueError("several articles: write them with as_array=True")
            out.write(dumps(analysis_to_json(analysis, include_text=include_text), indent=2))
            out.write("\n")
            n += 1
        return n
    out.write("[")
    for analysis in analyses:
        out.write(",\n" if n else "\n")
        out.write(dumps(analysis_to_json(analysis, include_text=include_text), indent=2))
        out.flush()
        n += 1
    out.write("\n]\n" if n else "]\n")
    return n


def jsonl_lines(analyses: Iterable[Analysis], *, include_text: bool = False) -> Iterator[str]:
    for analysis in analyses:
        yield dumps(analysis_to_json(analysis, include_text=include_text)) + "\n"


def write_jsonl(analyses: Iterable[Analysis], out: TextIO, *, include_text: bool = False) -> int:
    """One compact object per line per article, flushed as each one is ready."""
    n = 0
    for line in jsonl_lines(analyses, include_text=include_text):
        out.write(line)
        out.flush()
        n += 1
    return n
