"""Renderers: the same analyses as JSON, JSON lines, CSV or a terminal table.

Every renderer takes `model.Analysis` objects and writes to a text stream; none of
them prints on its own or imports anything heavy, so `quotes` and `check` share
them. An analysis whose `checked` is set (after `check`) also gets verdicts and
evidence in every format.

    write_report(analyses, "json", sys.stdout, include_text=False, as_array=False)
"""

from __future__ import annotations

from typing import Iterable, TextIO

from ..model import Analysis

FORMATS = ("table", "json", "jsonl", "csv")
SCHEMA = "attribution.check/1"


def write_report(
    analyses: Iterable[Analysis],
    fmt: str,
    out: TextIO,
    *,
    include_text: bool = False,
    as_array: bool = False,
) -> int:
    """Write `analyses` to `out` in `fmt`, as they come (streaming); return how many.

    `as_array` matters only for `json`: a JSON array of article objects instead of a
    single object (the caller decides from the call, not from the data, so scripts
    can rely on the shape). `include_text` adds `article.text` to JSON and JSON lines.
    """
    if fmt == "json":
        from .jsonout import write_json

        return write_json(analyses, out, include_text=include_text, as_array=as_array)
    if fmt == "jsonl":
        from .jsonout import write_jsonl

        return write_jsonl(analyses, out, include_text=include_text)
    if fmt == "csv":
        from .csvout import write_csv

        return write_csv(analyses, out)
    if fmt == "table":
        from .table import write_tables

        return write_tables(analyses, out)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


__all__ = ["FORMATS", "SCHEMA", "write_report"]
