"""CSV: one row per quote, one header for all articles.

Columns are fixed so a spreadsheet or a script can rely on them; checked
analyses add the verdict and the best evidence (the first one) at the end.
Multi-part quotes give their joined text and the span from the first part's
start to the last part's end.
"""

from __future__ import annotations

import csv
from typing import Iterable, Iterator, Optional, TextIO

from ..model import Analysis, CheckedQuote, Quote

QUOTE_FIELDS = (
    "article", "id", "kind", "text", "speaker", "speaker_type", "method",
    "mention", "cue", "start", "end",
)
CHECK_FIELDS = ("verdict", "wire_id", "agency", "wire_text", "similarity")


def _quote_row(path: str, q: Quote) -> list:
    sp = q.speaker
    return [
        path, q.id, q.kind, q.text, sp.name, sp.type, sp.method,
        sp.mention.text if sp.mention else "",
        q.cue.text if q.cue else "",
        q.start, q.end,
    ]


def _check_row(cq: CheckedQuote) -> list:
    best = cq.evidence[0] if cq.evidence else None
    if best is None:
        return [cq.verdict, "", "", "", ""]
    return [cq.verdict, best.wire_id, best.agency, best.text, round(best.similarity, 1)]


def header(checked: bool) -> tuple[str, ...]:
    return QUOTE_FIELDS + CHECK_FIELDS if checked else QUOTE_FIELDS


def rows(analysis: Analysis) -> Iterator[list]:
    path = analysis.document.path
    if analysis.checked is not None:
        for cq in analysis.checked:
            yield _quote_row(path, cq.quote) + _check_row(cq)
    else:
        for q in analysis.quotes:
            yield _quote_row(path, q)


def write_csv(analyses: Iterable[Analysis], out: TextIO, *, checked: Optional[bool] = None) -> int:
    """Write the header, then each article's rows as it comes; return the article count.

    The header is written even when there are no articles, so the output is always
    a valid CSV file. `checked` picks the header up front; by default it follows
    the first analysis (all analyses of one call are alike).
    """
    # csv's default "\r\n" line ends (RFC 4180): with "\n" a lone "\r" inside a
    # quote would go out unquoted and split the row when read back
    writer = csv.writer(out)
    n = 0
    for analysis in analyses:
        if n == 0:
            if checked is None:
                checked = analysis.checked is not None
            writer.writerow(header(checked))
        writer.writerows(rows(analysis))
        out.flush()
        n += 1
    if n == 0:
        writer.writerow(header(bool(checked)))
    return n
