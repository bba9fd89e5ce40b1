"""Renderers: the same analyses as JSON, JSON lines, CSV or a terminal table.

Every renderer takes `model.Analysis` objects and writes to a text stream; none of
them prints on its own or imports anything heavy, so `quotes` and `check` share
them. An analysis whose `checked` is set (after `check`) also gets verdicts and
evidence in every format.

    write_report(analyses, "json", sys.stdout, include_text=False, as_array=False)
    render_json(analysis)  # the same as a string; a list of analyses gives an array

`check` renders with the same functions: a format it adds (html) lives beside these.
"""

from __future__ import annotations

import io
from typing import Iterable, Optional, TextIO, Union

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


def _many(analyses: Union[Analysis, Iterable[Analysis]]) -> tuple[list[Analysis], bool]:
    if isinstance(analyses, Analysis):
        return [analyses], False
    return list(analyses), True


def render(analyses: Union[Analysis, Iterable[Analysis]], fmt: str, *, include_text: bool = False) -> str:
    """The report as a string: one Analysis, or a list of them (`json`: an array)."""
    items, as_array = _many(analyses)
    out = io.StringIO()
    write_report(items, fmt, out, include_text=include_text, as_array=as_array)
    return out.getvalue()


def render_json(analyses: Union[Analysis, Iterable[Analysis]], *, include_text: bool = False) -> str:
    return render(analyses, "json", include_text=include_text)


def render_jsonl(analyses: Union[Analysis, Iterable[Analysis]], *, include_text: bool = False) -> str:
    return render(analyses, "jsonl", include_text=include_text)


def render_csv(analyses: Union[Analysis, Iterable[Analysis]]) -> str:
    return render(analyses, "csv")


def render_table(analyses: Union[Analysis, Iterable[Analysis]], *, width: Optional[int] = None) -> str:
    from .table import write_tables

    out = io.StringIO()
    write_tables(_many(analyses)[0], out, width=width)
    return out.getvalue()


__all__ = [
    "FORMATS", "SCHEMA", "write_report", "render", "render_json", "render_jsonl",
    "render_csv", "render_table",
]
