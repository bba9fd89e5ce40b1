"""The `batch` command, and the HTML writer that `check --format html` uses.

`attribution.cli` calls :func:`register` with its typer app::

    attribution batch INPUT... [--wires DB_OR_FOLDER] --out DIR [--workers N] [--force]
                     [--fail-on VERDICTS] [--window DAYS] [--gate] [--quiet] [--title TEXT]

INPUT: folders (searched recursively for .txt/.html/.htm/.json/.jsonl), glob patterns
(quote them: ``'stories/**/*.html'``), files; each record of a JSON lines file is an article.
Settings not given on the command line come from ``attribution.toml`` / ``[tool.attribution]``
(:mod:`attribution.config`): ``wires``, ``window``, ``fail-on``, ``out``, ``workers``.

Writes ``DIR/articles/<name>.json``, ``DIR/review/<name>.html``, ``DIR/report.html``,
``DIR/quotes.csv`` and ``DIR/summary.json`` (see :mod:`attribution.batch`); prints the path of
``report.html`` on stdout, progress and a one-line summary on stderr. Rerun after a kill:
articles already done are skipped; ``--force`` redoes all.

Exit codes: 0 done; 1 with ``--gate``: a quote's verdict is in --fail-on; 2 usage error
(missing input, no archive, bad option or config); 3 an article could not be read (it is
listed in the report; the others were checked); 130 interrupted (rerun to resume).

``write_html(analyses, out)`` writes the review page of checked analyses (one or many) to a
path (atomically) or to a text stream; ``check --format html`` calls it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Iterable, List, Optional, TextIO, Union

import typer

from attribution.errors import EXIT_GATE, EXIT_INPUT, EXIT_OK, EXIT_USAGE

DEFAULT_FAIL_ON = ("altered", "misattributed", "unverified")


def _error(message: str) -> None:
    sys.stderr.write(f"attribution: error: {' '.join(str(message).split())}\n")
    sys.stderr.flush()


def write_html(analyses, out: Union[str, os.PathLike, TextIO, None] = None, *,
               fail_on: Iterable[str] = DEFAULT_FAIL_ON, title: Optional[str] = None) -> int:
    """Write the review page of `analyses` (a checked Analysis, or an iterable of them: one
    page, one section per article) to `out`: a path (written atomically), a text stream,
    or None / ``"-"`` for stdout. Returns the number of articles."""
    from attribution.report.html import write_review

    if out is None or (isinstance(out, str) and out == "-"):
        out = sys.stdout
    return write_review(analyses, out, fail_on=tuple(fail_on), title=title)


def batch_command(
    inputs: List[str] = typer.Argument(
        ..., metavar="INPUT", show_default=False,
        help="Folders (recursive: .txt .html .htm .json .jsonl), glob patterns, or article files; "
        "each line of a JSON lines file is an article."),
    wires: Optional[Path] = typer.Option(
        None, "--wires", "-w", help="Wire archive file, or a folder of wire files (ingested once "
        "into a temporary archive). Default: config 'wires', else the archive in the user data dir."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder (config 'out')."),
    workers: Optional[int] = typer.Option(None, "--workers", "-j", min=1,
                                          help="Worker processes (default: config, else one per CPU)."),
    force: bool = typer.Option(False, "--force", help="Redo every article, also those already done."),
    fail_on: Optional[str] = typer.Option(
        None, "--fail-on", help="Comma-separated verdicts that fail the gate (default: config, else "
        "altered,misattributed,unverified); '' for none."),
    window: Optional[int] = typer.Option(None, "--window", min=0,
                                         help="Days around the article's date that wire items may be from (default 3)."),
    gate: bool = typer.Option(False, "--gate", help="Exit 1 when a quote fails the gate."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    title: Optional[str] = typer.Option(None, "--title", help="Title of report.html."),
) -> None:
    """Check many articles in parallel and write a report folder (resumable).

    Writes OUT/report.html (totals, every failing quote, per agency, outlet and speaker),
    OUT/quotes.csv, OUT/summary.json, and per article OUT/articles/NAME.json and
    OUT/review/NAME.html; prints the path of report.html. Run again after a stop: the
    articles already done are skipped (--force redoes them).

    \b
    Exit codes:
      0  done
      1  --gate: a quote's verdict is in --fail-on
      2  usage error (missing input, no archive, bad option or config file)
      3  an article could not be read (listed in the report; the others are checked)
    """
    from attribution.batch import BatchUsageError, default_workers, run_batch
    from attribution.config import ConfigError, effective, load_config

    try:
        cfg = effective(load_config(Path.cwd()), wires=wires, out=out, workers=workers,
                        fail_on=fail_on, window=window)
    except ConfigError as e:
        _error(e)
        raise typer.Exit(EXIT_USAGE)
    except ValueError as e:
        _error(e)
        raise typer.Exit(EXIT_USAGE)
    if not cfg.get("out"):
        _error("--out: give the output folder (or 'out' in attribution.toml)")
        raise typer.Exit(EXIT_USAGE)
    wpath = cfg.get("wires")
    if not wpath:
        from attribution.wires.store import default_db_path

        wpath = default_db_path()
    pipeline = None
    if (cfg.get("workers") or default_workers()) == 1 and Path(wpath).exists() and _inputs_exist(inputs):
        # one worker runs in this process: share the CLI's pipeline (loaded once per process)
        from attribution import cli

        pipeline = cli.get_pipeline()
    try:
        result = run_batch(inputs, wpath, cfg["out"], workers=cfg.get("workers"), force=force,
                           window_days=cfg["window"], fail_on=cfg["fail_on"],
                           progress=False if quiet else None, title=title, pipeline=pipeline)
    except BatchUsageError as e:
        _error(e)
        raise typer.Exit(e.exit_code)
    except KeyboardInterrupt:
        _error("interrupted; run the same command again to resume")
        raise typer.Exit(130)
    for f in result.failures:
        _error(f["reason"])
    sys.stderr.write(
        f"{result.total} articles: {result.processed} checked now, {result.resumed} done before, "
        f"{len(result.failures)} could not be checked; {result.failing_quotes} quotes fail the gate; "
        f"{result.elapsed_s:.1f} s\n")
    sys.stderr.flush()
    sys.stdout.write(f"{result.report}\n")
    sys.stdout.flush()
    if result.failures:
        raise typer.Exit(EXIT_INPUT)
    raise typer.Exit(EXIT_GATE if gate and result.failing_quotes else EXIT_OK)


def _inputs_exist(inputs) -> bool:
    """Load no model for a call that will stop at a usage error anyway."""
    import glob

    return all(Path(i).exists() or glob.glob(i, recursive=True) for i in inputs)


def register(app: typer.Typer) -> None:
    """Add `batch` to the main app."""
    app.command("batch")(batch_command)


def make_app() -> typer.Typer:
    """A typer app with only the batch command (for ``python -m`` and tests)."""
    app = typer.Typer(name="attribution", add_completion=False, pretty_exceptions_enable=False,
                      rich_markup_mode=None, no_args_is_help=True)

    @app.callback()
    def _root() -> None:
        """attribution batch"""

    register(app)
    return app


def main(argv: Optional[list[str]] = None) -> None:
    """``python -m attribution.cli_batch batch …``: the batch command on its own."""
    make_app()(args=argv, prog_name="attribution")


if __name__ == "__main__":  # pragma: no cover
    main()
