"""The `attribution` command: a thin shell over the readers, the pipeline and the renderers.

Nothing heavy (spaCy, torch, transformers, trafilatura, rapidfuzz) is imported at
module level here or in anything this module imports at module level, so that
`attribution --help` answers at once; the commands import what they need.

stdout carries only data. Errors are one line each on stderr, `attribution: error:
…`, naming the file, never a traceback for bad input. Exit codes (`errors.py`):
0 ok, 1 the editorial gate (`check` only), 2 usage (bad option, missing file),
3 input that cannot be read.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, List

import typer

from . import __version__
from .errors import E_NOT_FOUND, EXIT_INPUT, EXIT_OK, EXIT_USAGE, InputError

if TYPE_CHECKING:  # pragma: no cover
    from .model import Document

PROG = "attribution"

app = typer.Typer(
    name=PROG,
    no_args_is_help=True,
    # plain click help: half the start-up time of rich help, and clean in a pipe
    rich_markup_mode=None,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class OutputFormat(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


# One Pipeline per process: loading spaCy is the slow part of a call. Tests prime
# it with set_pipeline() so that the model loads once per test session.
_PIPELINE = None


DETECTOR = "rules"  # the detector of this call (`--detector`)


def get_pipeline():
    """The process's Pipeline, created on first use (loads spaCy)."""
    global _PIPELINE
    if _PIPELINE is None or getattr(getattr(_PIPELINE, "detector", None), "name", DETECTOR) != DETECTOR:
        from .pipeline import Pipeline

        nlp = getattr(_PIPELINE, "_nlp", None)
        _PIPELINE = Pipeline(DETECTOR, nlp=nlp)
    return _PIPELINE


def set_pipeline(pipeline) -> None:
    """Use `pipeline` (anything with `analyse_many`) for the commands of this process."""
    global _PIPELINE
    _PIPELINE = pipeline


def error(message: str) -> None:
    """One line on stderr. Plain write, not rich: rich would wrap a long path onto a
    second line and read "[E102]" as markup."""
    line = " ".join(str(message).split())
    sys.stderr.write(f"{PROG}: error: {line}\n")
    sys.stderr.flush()


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


def check_paths(paths: Iterable[Path]) -> bool:
    """Report every argument that names no readable file; True when all are fine.

    A missing file is a usage error (exit 2, DESIGN.md), checked for all
    arguments before any work starts, so nothing is half-printed. `-` is stdin.
    """
    ok = True
    for p in paths:
        s = str(p)
        if s == "-":
            continue
        if not p.exists():
            error(InputError(s, "not found", E_NOT_FOUND))
            ok = False
        elif p.is_dir():
            error(InputError(s, "is a directory, not a file", E_NOT_FOUND))
            ok = False
    return ok


def read_all(paths: Iterable[Path]) -> tuple[list["Document"], int]:
    """Read every file (a JSON lines file gives many documents).

    Unreadable input is reported, one line per file (or per bad line of a JSON
    lines file), and skipped so that the other files are still processed.
    Returns the documents in argument order and the number of failures.
    """
    from .io.readers import document_from_text, iter_documents

    docs: list[Document] = []
    failures = 0
    for p in paths:
        s = str(p)
        try:
            if s == "-":
                docs.append(_read_stdin(document_from_text))
                continue
            for item in iter_documents(s):
                if isinstance(item, InputError):
                    error(item)
                    failures += 1
                else:
                    docs.append(item)
        except InputError as e:
            error(e)
            failures += 1
    return docs, failures


def _read_stdin(document_from_text) -> "Document":
    from .errors import E_EMPTY, E_UNDECODABLE

    try:
        text = sys.stdin.read()
    except UnicodeDecodeError:
        raise InputError("-", "stdin is not UTF-8 text", E_UNDECODABLE) from None
    if not text.strip():
        raise InputError("-", "stdin is empty", E_EMPTY)
    return document_from_text(text, path="-")


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"{PROG} {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(
        False, "--version", "-V", help="Print the version and exit.",
        callback=_version_callback, is_eager=True,
    ),
) -> None:
    """Find quotes and reported claims in news, say who said them, check them against wire copy.

    stdout carries the data; progress, warnings and errors go to stderr.

    \b
    Exit codes:
      0  ok
      1  check: a quote is altered, misattributed or unverified
      2  usage error (bad option, missing file)
      3  input that cannot be read (one line on stderr per file)
    """


@app.command("quotes")
def quotes_cmd(
    articles: List[Path] = typer.Argument(
        ..., metavar="ARTICLE", show_default=False,
        help="Article files: plain text (headline on line 1), HTML, JSON (ninjs) or JSON lines "
        "(one article per line). '-' reads plain text from stdin.",
    ),
    fmt: OutputFormat = typer.Option(
        OutputFormat.table, "--format", "-f", case_sensitive=False,
        help="table: one table per article. json: one object for one article, a JSON array "
        "when several articles are given (or a JSON lines file holds several). jsonl: one "
        "object per line per article. csv: one row per quote, one header.",
    ),
    include_text: bool = typer.Option(
        False, "--include-text",
        help="Add the article text as read (article.text) to json/jsonl: the text that all "
        "offsets index.",
    ),
    detector: str = typer.Option(
        "rules", "--detector",
        help="rules: quotes and reported speech by rules (default). rules-broad: also "
        "attributions with an object for content, as PolNeAR annotates them. tagger / hybrid: "
        "the trained tagger alone, or the rules plus the tagger's reported speech (needs the "
        "tagger's weights).",
    ),
) -> None:
    """Find the quotes in each ARTICLE and who said them (no wire check).

    \b
    Exit codes:
      0  ok
      2  an ARTICLE is missing or a directory (nothing is processed)
      3  a file could not be read (the others are still processed and printed)
    """
    global DETECTOR
    from .pipeline import DETECTORS

    if detector not in DETECTORS:
        error(f"--detector: {detector!r} is not one of {', '.join(DETECTORS)}")
        raise typer.Exit(EXIT_USAGE)
    DETECTOR = detector
    if not check_paths(articles):
        raise typer.Exit(EXIT_USAGE)
    docs, failures = read_all(articles)
    as_array = len(articles) > 1 or len(docs) > 1
    analyses = analyse(docs)
    from .report import write_report

    write_report(analyses, fmt.value, sys.stdout, include_text=include_text, as_array=as_array)
    raise typer.Exit(EXIT_INPUT if failures else EXIT_OK)


def analyse(docs: list["Document"]):
    """Analyses of `docs`, in order, as they are ready; the model loads only if
    there is something to analyse. On a terminal's stderr: a spinner while the
    model loads and, when stdout goes elsewhere (batch runs), a progress bar."""
    if not docs:
        return iter(())
    console = _stderr_console()
    if not console.is_terminal:
        return get_pipeline().analyse_many(docs)
    with console.status("loading the language model…"):
        pipeline = get_pipeline()
    if len(docs) < 2 or sys.stdout.isatty():
        # a live bar and a table on the same terminal would garble each other
        return pipeline.analyse_many(docs)
    return _with_progress(pipeline, docs, console)


def _with_progress(pipeline, docs: list["Document"], console):
    from rich.progress import Progress

    with Progress(
        console=console, transient=True, redirect_stdout=False, redirect_stderr=False
    ) as progress:
        task = progress.add_task("analysing", total=len(docs))
        for analysis in pipeline.analyse_many(docs):
            progress.advance(task)
            yield analysis


# Commands that live in modules of their own; each has register(app).
PLUGINS = ("cli_wires", "cli_batch")  # wires ingest|stats|search, check; batch


def _register_plugins() -> None:
    # The CLI works without them; only a plugin module's absence is tolerated: an
    # ImportError raised inside one is a bug and must show.
    import importlib

    for name in PLUGINS:
        module_name = f"{__package__}.{name}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as e:
            if e.name != module_name:
                raise
            continue
        module.register(app)


_register_plugins()


def main() -> None:
    """Entry point of the `attribution` script."""
    app(prog_name=PROG)


if __name__ == "__main__":  # pragma: no cover
    main()
