"""The wire commands of the `attribution` CLI: `wires ingest|stats|search` and `check`.

`attribution.cli` calls :func:`register` with its typer app. Nothing heavy is imported
at module level (spaCy, torch, rapidfuzz load inside the commands).

    attribution wires ingest PATH... [--db FILE] [--embed] [--fast] [--workers N]
    attribution wires stats [--db FILE] [--format table|json]
    attribution wires search TEXT [--db FILE] [--limit N]
    attribution check ARTICLE... [--wires DB_OR_FOLDER] [--format table|json|jsonl|csv]
                      [--fail-on VERDICTS] [--window DAYS] [--out PATH]

`--db`/`--wires` default to ``$XDG_DATA_HOME/attribution/wires.db``
(``~/.local/share/attribution/wires.db``); `--wires` also takes a folder of wire files,
ingested into a temporary archive for this run.

Exit codes: 0 ok; 1 (check) a quote's verdict is in --fail-on (default altered,
misattributed, unverified); 2 usage error (bad option, missing file or archive);
3 input that cannot be read (one line on stderr naming the file; the other files are
still processed).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

from attribution.errors import EXIT_GATE, EXIT_INPUT, EXIT_OK, EXIT_USAGE

VERDICTS = ("confirmed", "paraphrased", "altered", "misattributed", "unverified")
DEFAULT_FAIL_ON = "altered,misattributed,unverified"


def _error(message: str) -> None:
    line = " ".join(str(message).split())
    sys.stderr.write(f"attribution: error: {line}\n")
    sys.stderr.flush()


def _note(message: str) -> None:
    sys.stderr.write(" ".join(str(message).split()) + "\n")
    sys.stderr.flush()


def _default_db() -> Path:
    from attribution.wires.store import default_db_path

    return default_db_path()


def _open_existing(db: Optional[Path]):
    """The archive at `db` (or the default), or exit 2 when there is none."""
    from attribution.wires.store import SQLiteWireStore

    path = db or _default_db()
    if not path.exists():
        _error(f"{path}: no wire archive here (create one with `attribution wires ingest PATH --db {path}`) [E101]")
        raise typer.Exit(EXIT_USAGE)
    if path.is_dir():
        _error(f"{path}: is a directory; give the archive file [E101]")
        raise typer.Exit(EXIT_USAGE)
    import sqlite3

    store = None
    try:
        store = SQLiteWireStore.open_existing(path)
        if store.get_meta("schema") is None:
            raise sqlite3.DatabaseError("no schema version")
        return store
    except sqlite3.DatabaseError as e:  # not a database, or another program's database
        if store is not None:
            store.close()
        _error(f"{path}: not a wire archive ({e}) [E108]")
        raise typer.Exit(EXIT_INPUT)


def _pipeline():
    try:
        from attribution import cli

        return cli.get_pipeline()
    except Exception:  # pragma: no cover - cli not there
        from attribution.pipeline import Pipeline

        return Pipeline()


def _ingest(store, paths: List[Path], *, embed: bool, quiet: bool = False, workers: int = 1,
            fast: bool = False):
    """Ingest with a progress line on stderr when it is a terminal."""
    from attribution.wires.ingest import Ingester
    from attribution.wires.readers import iter_wire_files

    if fast:
        from attribution.wires.fastquotes import FastWireAnalyser

        pipeline = FastWireAnalyser()
    else:
        pipeline = _pipeline() if workers <= 1 else None
    ingester = Ingester(store, pipeline=pipeline, embed=embed, workers=workers)
    try:
        from rich.console import Console

        console = Console(stderr=True)
    except Exception:  # pragma: no cover
        console = None
    if console is None or not console.is_terminal or quiet:
        return ingester.ingest(paths)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    n_files = sum(1 for _ in iter_wire_files(paths))
    with Progress(TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TextColumn("items"),
                  TimeElapsedColumn(), TextColumn("{task.description}"), console=console,
                  transient=True) as progress:
        task = progress.add_task("", total=None)

        def cb(done: int, source: str) -> None:
            progress.update(task, completed=done, description=Path(source.split("#")[0]).name)

        del n_files
        return ingester.ingest(paths, progress=cb)


def _summary(report) -> int:
    errors = [s for s in report.skipped if s.error]
    notes = [s for s in report.skipped if not s.error]
    for s in errors:
        _error(f"{s.source}: {s.reason} (skipped)")
    for s in notes:
        _note(f"attribution: note: {s.source}: {s.reason}")
    _note(f"ingested {report.ingested}, updated {report.updated}, unchanged {report.unchanged}, "
          f"skipped {len(report.skipped)}")
    return EXIT_INPUT if errors else EXIT_OK


def register(app: typer.Typer) -> None:
    """Add `wires …` and `check` to the main app."""
    wires = typer.Typer(name="wires", no_args_is_help=True, add_completion=False,
                        help="The wire archive: ingest wire copy, look at it, search it.")
    app.add_typer(wires, name="wires")

    @wires.command("ingest")
    def ingest_cmd(
        paths: List[Path] = typer.Argument(..., metavar="PATH", help="Wire files (txt with headers, "
                                           "ninjs JSON, JSON lines, HTML) or folders (searched recursively)."),
        db: Optional[Path] = typer.Option(None, "--db", help="Archive file (default: the user data dir)."),
        embed: bool = typer.Option(False, "--embed/--no-embed",
                                   help="Also store MiniLM vectors of the wire quotes (helps find "
                                   "translated paraphrases; several times slower on a CPU)."),
        workers: Optional[int] = typer.Option(
            None, "--workers", "-j", min=1,
            help="Processes for quote detection (each loads spaCy). Default: one per CPU (at "
            "most 4); 1 with --embed."),
        fast: bool = typer.Option(False, "--fast",
                                  help="Find wire quotes with the fast pattern finder (no spaCy; "
                                  "hundreds of items a second) instead of the full pipeline."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display."),
    ) -> None:
        """Add wire items to the archive. Idempotent: an item already there is skipped, a
        corrected version (same ID, new content) replaces the old one."""
        missing = [p for p in paths if not p.exists()]
        for p in missing:
            _error(f"{p}: not found [E101]")
        if missing:
            raise typer.Exit(EXIT_USAGE)
        from attribution.wires.store import SQLiteWireStore

        path = db or _default_db()
        if path.is_dir():
            _error(f"{path}: is a directory; give the archive file [E101]")
            raise typer.Exit(EXIT_USAGE)
        try:
            store = SQLiteWireStore(path)
        except Exception as e:
            _error(f"{path}: cannot open the archive ({e}) [E108]")
            raise typer.Exit(EXIT_INPUT)
        try:
            if workers is None:
                # no worker processes once the embedding model (torch) is loaded: a fork then can hang
                workers = 1 if embed else max(1, min(4, os.cpu_count() or 1))
            report = _ingest(store, paths, embed=embed, quiet=quiet, workers=workers, fast=fast)
        finally:
            store.close()
        raise typer.Exit(_summary(report))

    @wires.command("stats")
    def stats_cmd(
        db: Optional[Path] = typer.Option(None, "--db", help="Archive file (default: the user data dir)."),
        fmt: str = typer.Option("table", "--format", "-f", help="table or json"),
    ) -> None:
        """Items per agency and per day."""
        if fmt not in ("table", "json"):
            _error(f"--format: {fmt!r} is not one of table, json")
            raise typer.Exit(EXIT_USAGE)
        store = _open_existing(db)
        try:
            st = store.stats()
        finally:
            store.close()
        if fmt == "json":
            sys.stdout.write(json.dumps({
                "items": st["items"], "quotes": st["quotes"], "sentences": st["sentences"],
                "embeddings": st["embeddings"],
                "per_agency": dict(st["per_agency"]), "per_day": dict(st["per_day"]),
            }, ensure_ascii=False, indent=2) + "\n")
            return
        from rich.console import Console
        from rich.table import Table

        console = Console(file=sys.stdout)
        console.print(f"{st['items']} items, {st['quotes']} quotes, {st['sentences']} sentences, "
                      f"{st['embeddings']} vectors")
        t = Table(title="items per agency")
        t.add_column("agency")
        t.add_column("items", justify="right")
        for agency, n in st["per_agency"]:
            t.add_row(agency or "(unknown)", str(n))
        console.print(t)
        t = Table(title="items per day")
        t.add_column("date")
        t.add_column("items", justify="right")
        for day, n in st["per_day"]:
            t.add_row(day, str(n))
        console.print(t)

    @wires.command("search")
    def search_cmd(
        text: str = typer.Argument(..., help="Words to look for in wire quotes and sentences."),
        db: Optional[Path] = typer.Option(None, "--db", help="Archive file (default: the user data dir)."),
        limit: int = typer.Option(20, "--limit", "-n", min=1, help="Most results."),
        fmt: str = typer.Option("table", "--format", "-f", help="table or jsonl"),
    ) -> None:
        """Full-text search of the wire quotes (then sentences), best first (bm25)."""
        import re

        if fmt not in ("table", "jsonl"):
            _error(f"--format: {fmt!r} is not one of table, jsonl")
            raise typer.Exit(EXIT_USAGE)
        words = re.findall(r"\w+", text)
        if not words:
            _error("search: give at least one word")
            raise typer.Exit(EXIT_USAGE)
        store = _open_existing(db)
        try:
            rows = []
            for query in (" AND ".join(f'"{w}"' for w in words), " OR ".join(f'"{w}"' for w in words)):
                qs = store.search_quotes(query, limit=limit)
                ss = store.search_sentences(query, limit=limit)
                if qs or ss:
                    break
            items = store.items([q.item_id for q in qs] + [s.item_id for s in ss])
            seen = set()
            for q in qs:
                seen.add((q.item_id, q.start))
                rows.append(("quote", items.get(q.item_id), q.speaker, q.text, q.start, q.end))
            for s in ss:
                if len(rows) >= limit:
                    break
                if any(k[0] == s.item_id and s.start <= k[1] < s.end for k in seen):
                    continue
                rows.append(("sentence", items.get(s.item_id), "", s.text, s.start, s.end))
        finally:
            store.close()
        rows = rows[:limit]
        if fmt == "jsonl":
            for kind, it, spk, t, s, e in rows:
                sys.stdout.write(json.dumps({
                    "wire_id": it.id if it else None, "agency": it.agency if it else None,
                    "date": it.date if it else None, "headline": it.headline if it else None,
                    "kind": kind, "speaker": spk, "text": t, "start": s, "end": e,
                }, ensure_ascii=False) + "\n")
            return
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"{len(rows)} results for {text!r}")
        for col in ("agency", "date", "kind", "speaker", "text"):
            table.add_column(col, overflow="fold")
        for kind, it, spk, t, s, e in rows:
            table.add_row(it.agency if it else "", (it.date or "") if it else "", kind, spk, t)
        Console(file=sys.stdout).print(table)

    @app.command("check")
    def check_cmd(
        articles: List[Path] = typer.Argument(..., metavar="ARTICLE", help="Article files (txt, HTML, "
                                              "JSON, JSON lines); '-' reads text from stdin."),
        wires_path: Optional[Path] = typer.Option(
            None, "--wires", "-w", help="Wire archive file, or a folder of wire files (ingested into "
            "a temporary archive). Default: the archive in the user data dir."),
        fmt: Optional[str] = typer.Option(
            None, "--format", "-f", help="table, json, jsonl, csv or html (the review page). "
            "Default: config 'format', else table."),
        fail_on: Optional[str] = typer.Option(
            None, "--fail-on", help="Comma-separated verdicts that make the exit code 1 ('' for never). "
            f"Default: config 'fail_on', else {DEFAULT_FAIL_ON}."),
        window: Optional[int] = typer.Option(
            None, "--window", min=0, help="Days around the article's date that wire items may be "
            "from. Default: config 'window', else 3."),
        out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the report here instead "
                                           "of stdout (config 'out')."),
        include_text: bool = typer.Option(False, "--include-text", help="Add the article text to json/jsonl."),
        embed: bool = typer.Option(False, "--embed/--no-embed",
                                   help="For a folder of wires: also compute MiniLM vectors."),
    ) -> None:
        """Check every quote of each ARTICLE against the wire copy and give verdicts.

        Settings not given here come from attribution.toml or [tool.attribution] in
        pyproject.toml (searched upward from the current folder), else the defaults.

        Exit codes: 0 every quote passes; 1 a quote's verdict is in --fail-on; 2 usage error;
        3 an article could not be read (the others are still checked).
        """
        from attribution.config import FORMATS, ConfigError, effective, load_config

        try:
            opts = effective(load_config(Path.cwd()), wires=wires_path, window=window,
                             fail_on=fail_on, format=fmt, out=out)
        except (ConfigError, ValueError) as e:
            _error(str(e))
            raise typer.Exit(EXIT_USAGE)
        fmt = opts["format"]
        window = int(opts["window"])
        out = Path(opts["out"]) if opts["out"] else None
        wires_path = Path(opts["wires"]) if opts["wires"] else None
        if fmt not in FORMATS:
            _error(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
            raise typer.Exit(EXIT_USAGE)
        fail = set(opts["fail_on"])
        bad = sorted(fail - set(VERDICTS))
        if bad:
            _error(f"--fail-on: unknown verdict {', '.join(bad)} (use {', '.join(VERDICTS)})")
            raise typer.Exit(EXIT_USAGE)
        from attribution import cli

        if not cli.check_paths(articles):
            raise typer.Exit(EXIT_USAGE)
        wpath = wires_path or _default_db()
        if not wpath.exists():
            _error(f"{wpath}: no wire archive or folder here [E101]")
            raise typer.Exit(EXIT_USAGE)
        docs, failures = cli.read_all(articles)
        from attribution.wires import WireArchive

        if wpath.is_dir():
            archive = WireArchive.from_folder(wpath, pipeline=_pipeline(), embed=embed, window_days=window)
            for s in archive.ingest_report.skipped:
                if s.error:
                    _error(f"{s.source}: {s.reason} (skipped)")
        else:
            archive = WireArchive(_open_existing(wpath), window_days=window)
        gate = False
        try:
            def checked():
                nonlocal gate
                for analysis in cli.analyse(docs):
                    a = archive.check(analysis)
                    if any(cq.verdict in fail for cq in a.checked or ()):
                        gate = True
                    yield a

            as_array = len(articles) > 1 or len(docs) > 1
            if fmt == "html":
                # one self-contained review page for all the articles, written atomically
                from attribution.cli_batch import write_html

                write_html(checked(), out, fail_on=sorted(fail))
            else:
                stream = open(out, "w", encoding="utf-8") if out else sys.stdout
                try:
                    from attribution.report import write_report

                    write_report(checked(), fmt, stream, include_text=include_text, as_array=as_array)
                finally:
                    if out:
                        stream.close()
        finally:
            archive.close()
        if failures:
            raise typer.Exit(EXIT_INPUT)
        raise typer.Exit(EXIT_GATE if gate else EXIT_OK)


def check_paths(articles, wires, *, window_days: int = 3, pipeline=None):
    """Library entry: check article files against a wire archive file or folder; returns
    the analyses with ``checked`` set (unreadable articles raise InputError)."""
    from attribution.io.readers import read_documents
    from attribution.wires import WireArchive

    pipeline = pipeline or _pipeline()
    wires = Path(wires)
    archive = (WireArchive.from_folder(wires, pipeline=pipeline, window_days=window_days)
               if wires.is_dir() else WireArchive.open(wires, window_days=window_days))
    try:
        docs = [d for a in articles for d in read_documents(a)]
        return [archive.check(a) for a in pipeline.analyse_many(docs)]
    finally:
        archive.close()
