"""A terminal table per article (rich): what a fact-checker reads at a glance.

Columns: #, quote (shortened), kind, speaker, how the speaker was found
(method), cue; after `check` also the verdict and the agency of the best
evidence. Colours only when the output is a terminal.
"""

from __future__ import annotations

from typing import Iterable, Optional, TextIO

from ..model import Analysis, CheckedQuote, Quote

QUOTE_WIDTH = 70

VERDICT_STYLES = {
    "confirmed": "green",
    "paraphrased": "cyan",
    "altered": "bold red",
    "misattributed": "bold magenta",
    "unverified": "yellow",
}


def shorten(text: str, width: int = QUOTE_WIDTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _title(analysis: Analysis) -> str:
    doc = analysis.document
    bits = [doc.path or "(article)"]
    if doc.title:
        bits.append(doc.title)
    if doc.date:
        bits.append(doc.date)
    return " — ".join(bits)


def _caption(analysis: Analysis) -> str:
    from .jsonout import summary

    counts = summary(analysis)
    n = counts.pop("quotes")
    rest = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
    return f"{n} quote{'s' if n != 1 else ''}" + (f": {rest}" if rest else "")


def analysis_table(analysis: Analysis, *, compact: bool = False):
    """The rich Table for one analysis (its heading is printed by `write_tables`).

    `compact` (narrow terminals): the method goes under the speaker's name, and the
    agency under the verdict, instead of in columns of their own.
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    checked = analysis.checked is not None
    # light box, no outer padding: the quote column keeps most of the width
    table = Table(
        caption=_caption(analysis), box=box.SIMPLE_HEAD, pad_edge=False,
        caption_justify="left",
    )
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("quote", ratio=1, min_width=20, overflow="fold")
    table.add_column("kind", no_wrap=True)
    table.add_column("speaker", max_width=20 if compact else 26)
    if not compact:
        table.add_column("method", no_wrap=True)
    table.add_column("cue", max_width=12 if compact else 16)
    if checked:
        table.add_column("verdict", no_wrap=True)
        if not compact:
            table.add_column("wire", max_width=10)

    items: list[tuple[Quote, Optional[CheckedQuote]]]
    if checked:
        items = [(cq.quote, cq) for cq in analysis.checked or ()]
    else:
        items = [(q, None) for q in analysis.quotes]
    for i, (q, cq) in enumerate(items, 1):
        sp = q.speaker
        method = sp.method if sp.name else "—"
        # Text(...) so that brackets in quotes ("[in Idlib]") are not read as markup
        speaker = Text(sp.name or "—")
        if compact:
            speaker.append(f"\n{method}", style="dim")
        row = [str(i), Text(shorten(q.text)), q.kind, speaker]
        if not compact:
            row.append(method)
        row.append(Text(q.cue.text if q.cue else "—"))
        if cq is not None:
            best = cq.evidence[0] if cq.evidence else None
            verdict = Text(cq.verdict, style=VERDICT_STYLES.get(cq.verdict, ""))
            agency = best.agency if best else "—"
            if compact:
                verdict.append(f"\n{agency}", style="dim")
                row.append(verdict)
            else:
                row.extend([verdict, Text(agency)])
        table.add_row(*row)
    return table


# below this many columns the method column folds into the speaker column (and,
# after `check`, the agency into the verdict column)
COMPACT_BELOW = 100
COMPACT_BELOW_CHECKED = 140
# width for a file or a pipe, where there is no terminal to measure (rich would take 80)
PIPE_WIDTH = 120


def write_tables(analyses: Iterable[Analysis], out: TextIO, *, width: Optional[int] = None) -> int:
    import os

    from rich.console import Console
    from rich.text import Text

    # rich decides on colour and width from `out`: plain text when piped
    console = Console(file=out, width=width, highlight=False)
    if width is None and not console.is_terminal and not os.environ.get("COLUMNS"):
        console.width = PIPE_WIDTH
    n = 0
    for analysis in analyses:
        checked = analysis.checked is not None
        compact = console.width < (COMPACT_BELOW_CHECKED if checked else COMPACT_BELOW)
        if n:
            console.print()
        # the heading on a line of its own, never wrapped: a long path stays whole
        console.print(Text(_title(analysis), style="bold"), soft_wrap=True)
        console.print(analysis_table(analysis, compact=compact))
        out.flush()
        n += 1
    return n
