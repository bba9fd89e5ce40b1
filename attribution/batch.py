"""Batch checking: many articles against one wire archive, in parallel, resumable.

    from attribution.batch import run_batch
    result = run_batch(["stories/", "more/*.html", "feed.jsonl"], "wires.db", "out/", workers=4)

Inputs: folders (searched recursively for ``.txt``, ``.html``, ``.htm``, ``.json`` and
``.jsonl``; hidden files and folders skipped), glob patterns (``**`` recurses), and files of
any of those formats. Every record of a JSON lines file (or of a JSON array) is an article
of its own, named ``FILE#LINE``.

Work is spread over ``workers`` processes (:class:`concurrent.futures.ProcessPoolExecutor`);
each loads the language model and opens the archive once, in its initializer. With
``workers=1`` the work runs in this process (no pool). Progress goes to stderr (a rich bar
with done/total, rate and ETA when stderr is a terminal).

What lands in ``out``:

``articles/<name>.json``
    per article, its ``attribution.check/1`` result (article text included) plus a
    ``batch`` object: ``input`` (the label), ``key``, ``content_hash`` (SHA-256 of the
    input file, or of the record for JSON lines), ``settings`` (a hash of the archive
    path, the date window and the detector), ``group`` (source folder), ``outlet`` (when
    the article says), ``review`` (relative link), ``name``. Written atomically (a
    temporary file, then ``os.replace``), after the review page: a result file that exists
    is complete, and so is its review page.
``review/<name>.html``
    per article, the review page (:mod:`attribution.report.html`).
``report.html``, ``quotes.csv``, ``summary.json``
    at the end, over every input of this call (done now or before):
    see :mod:`attribution.report.batch_report`.

Resuming: an article whose result file exists, is valid JSON, and carries the same
``key``, ``content_hash`` and ``settings`` is skipped (it is found by scanning
``articles/``, so a renamed output file still counts). Everything else is (re)done;
``force=True`` redoes all. An article that cannot be read (or whose check raised) is
listed in the report and ``summary.json`` with its reason, never written as a result, and
the batch goes on; it is tried again on the next run.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence, Union

from attribution.errors import E_NOT_FOUND, InputError
from attribution.model import Document

INPUT_EXTENSIONS = (".txt", ".html", ".htm", ".json", ".jsonl")
BATCH_SCHEMA = "attribution.batch/1"
RESULT_SCHEMA = "attribution.check/1"
DEFAULT_FAIL_ON = ("altered", "misattributed", "unverified")
_GLOB_CHARS = re.compile(r"[*?\[]")

PathLike = Union[str, os.PathLike]


class BatchUsageError(Exception):
    """Bad batch arguments (a missing input, a glob matching nothing, no archive): exit 2;
    an archive file that is not one: exit 3 (``exit_code``)."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


# --------------------------------------------------------------------------- inputs


@dataclass
class Unit:
    """One article to check."""

    key: str  # unique and stable: the resolved file path, plus "#N" for a record
    label: str  # as shown: the path as given or found, plus "#N"
    path: str  # the file
    group: str  # the source folder
    content_hash: str = ""
    doc: Optional[Document] = None  # pre-read (records of JSON lines / arrays)
    error: Optional[tuple[str, str]] = None  # (message, code) when it could not be read
    name: str = ""  # safe file name stem under articles/ and review/


def _is_hidden(rel: Path) -> bool:
    return any(part.startswith(".") for part in rel.parts)


def _files_of(arg: str) -> list[tuple[Path, str]]:
    """(file, group) pairs of one INPUT argument; raises BatchUsageError."""
    p = Path(arg)
    if p.is_dir():
        out = []
        for f in sorted(p.rglob("*")):
            rel = f.relative_to(p)
            if f.is_file() and f.suffix.lower() in INPUT_EXTENSIONS and not _is_hidden(rel):
                parent = rel.parent
                group = (p.resolve().name or str(p)) if str(parent) == "." else parent.as_posix()
                out.append((f, group))
        return out
    if p.exists():
        return [(p, p.resolve().parent.name or "/")]
    if _GLOB_CHARS.search(arg):
        matches = sorted(glob.glob(arg, recursive=True))
        files = [Path(m) for m in matches if Path(m).is_file()]
        if not files:
            raise BatchUsageError(f"{arg}: no file matches [{E_NOT_FOUND}]")
        return [(f, f.resolve().parent.name or "/") for f in files]
    raise BatchUsageError(f"{arg}: not found [{E_NOT_FOUND}]")


def _label(path: Path) -> str:
    try:
        rel = path.resolve().relative_to(Path.cwd().resolve())
        return rel.as_posix()
    except ValueError:
        return path.resolve().as_posix()


def _doc_hash(doc: Document) -> str:
    h = hashlib.sha256()
    for part in (doc.text, doc.title, doc.date or "", json.dumps(doc.meta, ensure_ascii=False)):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def collect_units(inputs: Sequence[PathLike]) -> list[Unit]:
    """Every article of `inputs`, in order, each once (a file named twice counts once).

    Raises :class:`BatchUsageError` for an input that does not exist or a glob that
    matches nothing (checked for all inputs before anything is read)."""
    files: list[tuple[Path, str]] = []
    problems = []
    for arg in inputs:
        try:
            files.extend(_files_of(str(arg)))
        except BatchUsageError as e:
            problems.append(str(e))
    if problems:
        raise BatchUsageError("; ".join(problems))
    units: list[Unit] = []
    seen: set[str] = set()
    for f, group in files:
        key = f.resolve().as_posix()
        if key in seen:
            continue
        seen.add(key)
        label = _label(f)
        if f.suffix.lower() in (".json", ".jsonl"):
            units.extend(_record_units(f, key, label, group))
            continue
        try:
            data = f.read_bytes()
        except OSError as e:
            units.append(Unit(key, label, str(f), group, error=(f"{label}: cannot read ({e.strerror}) [E101]", "E101")))
            continue
        units.append(Unit(key, label, str(f), group, content_hash=hashlib.sha256(data).hexdigest()))
    _name_units(units)
    return units


def _record_units(f: Path, key: str, label: str, group: str) -> list[Unit]:
    """The articles of a JSON or JSON lines file, read here (no model needed)."""
    from attribution.io.readers import iter_documents

    out = []
    try:
        for item in iter_documents(f):
            if isinstance(item, InputError):
                where = item.path
                suffix = where[len(str(f)):] if where.startswith(str(f)) else ""
                out.append(Unit(key + suffix, label + suffix, str(f), group,
                                error=(_msg(item, label + suffix), item.code)))
                continue
            suffix = item.path[len(str(f)):] if item.path.startswith(str(f)) else ""
            from dataclasses import replace

            doc = replace(item, path=label + suffix)
            out.append(Unit(key + suffix, label + suffix, str(f), group, content_hash=_doc_hash(doc), doc=doc))
    except InputError as e:
        out.append(Unit(key, label, str(f), group, error=(_msg(e, label), e.code)))
    return out


def _msg(e: InputError, label: str) -> str:
    return f"{label}: {e.problem} [{e.code}]"


_NAME_BAD = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(label: str, key: str = "") -> str:
    """A file name stem from a label: ``stories/2019/a.txt#3`` -> ``stories__2019__a.txt-3``."""
    s = label.replace("\\", "/").lstrip("/")
    s = "__".join(part for part in s.split("/") if part not in ("", ".", ".."))
    s = s.replace("#", "-")
    s = _NAME_BAD.sub("_", s).strip("._") or "article"
    if len(s) > 120:
        s = s[:100].rstrip("._-") + "-" + hashlib.sha1((key or label).encode()).hexdigest()[:12]
    return s


def _name_units(units: list[Unit]) -> None:
    by: dict[str, list[Unit]] = {}
    for u in units:
        u.name = safe_name(u.label, u.key)
        by.setdefault(u.name.casefold(), []).append(u)
    for group in by.values():
        if len(group) > 1:
            for u in group:
                u.name = f"{u.name}-{hashlib.sha1(u.key.encode()).hexdigest()[:8]}"


# --------------------------------------------------------------------------- workers

_W: dict[str, Any] = {}


def _limit_threads() -> None:
    # one busy thread per worker process: the pool is the parallelism
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "TOKENIZERS_PARALLELISM"):
        os.environ.setdefault(var, "1" if var != "TOKENIZERS_PARALLELISM" else "false")


def _open_archive(db: str, window_days: int):
    from attribution.wires import WireArchive
    from attribution.wires.store import SQLiteWireStore

    return WireArchive(SQLiteWireStore.open_existing(db), window_days=window_days)


def _probe_archive(db: str) -> None:
    """Fail early, in this process, when `db` is not a wire archive (not in every worker)."""
    try:
        _open_archive(db, 0).close()
    except Exception as e:
        raise BatchUsageError(f"{db}: not a wire archive ({' '.join(str(e).split())}) [E108]", 3) from None


def _init_worker(cfg: dict, pipeline_factory: Optional[Callable[[], Any]] = None, pipeline=None) -> None:
    """Load the model and open the archive once per worker process."""
    _limit_threads()
    if pipeline is None:
        if pipeline_factory is not None:
            pipeline = pipeline_factory()
        else:
            from attribution.pipeline import Pipeline

            pipeline = Pipeline(detector=cfg.get("detector", "rules"))
    _W.clear()
    _W.update(cfg)
    _W["pipeline"] = pipeline
    _W["archive"] = _open_archive(cfg["db"], cfg["window_days"])


def _close_worker() -> None:
    archive = _W.pop("archive", None)
    if archive is not None:
        archive.close()
    _W.clear()


def _read_unit(u: Unit) -> Document:
    if u.doc is not None:
        return u.doc
    from attribution.io.readers import iter_documents

    docs = []
    for item in iter_documents(u.path):
        if isinstance(item, InputError):
            raise item
        docs.append(item)
    if not docs:
        raise InputError(u.label, "no article text found", "E106")
    from dataclasses import replace

    return replace(docs[0], path=u.label)


def _process(u: Unit) -> dict:
    """Check one article; write its review page, then its result file. Returns a small
    status dict (never raises for a bad article)."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = Path(_W["out"])
    try:
        try:
            doc = _read_unit(u)
        except InputError as e:
            return {"key": u.key, "label": u.label, "status": "error", "reason": _msg(e, u.label), "code": e.code}
        analysis = _W["pipeline"].analyse(doc)
        checked = _W["archive"].check(analysis)
        from attribution.report.html import atomic_write_text, write_review
        from attribution.report.jsonout import analysis_to_json

        review_rel = f"review/{u.name}.html"
        write_review(checked, out / review_rel, fail_on=_W["fail_on"], back_href="../report.html")
        result = analysis_to_json(checked, include_text=True)
        result["batch"] = {
            "schema": BATCH_SCHEMA, "input": u.label, "key": u.key, "name": u.name,
            "content_hash": u.content_hash, "settings": _W["settings"], "group": u.group,
            "outlet": doc.meta_get("outlet") or "", "review": review_rel,
            "elapsed_s": round(time.perf_counter() - t0, 4),
            "cpu_s": round(time.process_time() - c0, 4),
        }
        atomic_write_text(out / "articles" / f"{u.name}.json",
                          json.dumps(result, ensure_ascii=False) + "\n")
        counts = result.get("summary", {})
        return {"key": u.key, "label": u.label, "status": "ok", "quotes": counts.get("quotes", 0)}
    except Exception as e:  # a bug must not stop the batch: list it and go on
        reason = " ".join(f"{type(e).__name__}: {e}".split())[:300]
        return {"key": u.key, "label": u.label, "status": "error",
                "reason": f"{u.label}: internal error ({reason}) [E000]", "code": "E000"}


# --------------------------------------------------------------------------- resume


def _scan_done(articles_dir: Path) -> dict[str, tuple[Path, dict]]:
    """key -> (file, its batch object) for every valid result file under articles/."""
    done: dict[str, tuple[Path, dict]] = {}
    if not articles_dir.is_dir():
        return done
    for f in articles_dir.glob("*.json"):
        b = _valid_batch(f)
        if b is not None:
            done[b["key"]] = (f, b)
    return done


def _valid_batch(f: Path) -> Optional[dict]:
    try:
        obj = json.loads(f.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(obj, dict) or obj.get("schema") != RESULT_SCHEMA or not isinstance(obj.get("quotes"), list):
        return None
    b = obj.get("batch")
    if not isinstance(b, dict) or not isinstance(b.get("key"), str) or not b.get("content_hash"):
        return None
    return b


def _clean_tmp(out: Path) -> None:
    """Temporary files left by a run that was killed (only our own pattern)."""
    for sub in ("articles", "review", "."):
        d = out / sub
        if d.is_dir():
            for f in d.glob(".*.tmp"):
                try:
                    f.unlink()
                except OSError:
                    pass


def settings_hash(db_label: str, window_days: int, detector: str) -> str:
    raw = json.dumps({"wires": db_label, "window": window_days, "detector": detector,
                      "schema": RESULT_SCHEMA}, sort_keys=True)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


# --------------------------------------------------------------------------- progress


class _Progress:
    """A rich bar on stderr (done/total, rate, ETA) when it is a terminal; else quiet."""

    def __init__(self, total: int, resumed: int, enabled: Optional[bool]):
        self.p = None
        self.task = None
        if enabled is False or total == 0:
            return
        from rich.console import Console

        console = Console(stderr=True)
        if enabled is None and not console.is_terminal:
            return
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn,
                                   TaskProgressColumn, TextColumn, TimeElapsedColumn,
                                   TimeRemainingColumn)
        from rich.text import Text

        class Rate(ProgressColumn):
            def render(self, task):
                s = task.finished_speed or task.speed
                return Text(f"{s:.2f} articles/s" if s else "– articles/s", style="progress.data.speed")

        self.p = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                          TaskProgressColumn(), Rate(), TimeElapsedColumn(), TextColumn("ETA"),
                          TimeRemainingColumn(), console=console, transient=False,
                          redirect_stdout=False, redirect_stderr=False)
        self.desc = "checking" + (f" ({resumed} done before)" if resumed else "")
        self.started = False
        self.p.start()
        self.task = self.p.add_task("loading the model", total=total)

    def advance(self) -> None:
        if self.p is not None:
            if not self.started:
                self.started = True
                self.p.update(self.task, description=self.desc)
            self.p.advance(self.task)

    def stop(self) -> None:
        if self.p is not None:
            self.p.stop()


# --------------------------------------------------------------------------- run


@dataclass
class BatchResult:
    out_dir: Path
    total: int  # articles among the inputs (readable or not)
    processed: int  # checked in this run
    resumed: int  # skipped: done in an earlier run
    failures: list[dict] = field(default_factory=list)  # {"input", "reason", "code"}
    failing_quotes: int = 0  # quotes whose verdict is in fail_on
    summary: dict = field(default_factory=dict)
    elapsed_s: float = 0.0

    @property
    def report(self) -> Path:
        return self.out_dir / "report.html"


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _mp_context():
    import multiprocessing as mp

    # a fresh interpreter per worker (not fork): the parent may hold threads (rich's
    # refresh, sqlite) and a loaded model that fork would copy in a bad state
    methods = mp.get_all_start_methods()
    return mp.get_context("forkserver" if "forkserver" in methods else "spawn")


def run_batch(
    inputs: Sequence[PathLike],
    wires: PathLike,
    out_dir: PathLike,
    *,
    workers: Optional[int] = None,
    force: bool = False,
    window_days: int = 3,
    fail_on: Iterable[str] = DEFAULT_FAIL_ON,
    detector: str = "rules",
    progress: Optional[bool] = None,
    pipeline=None,
    pipeline_factory: Optional[Callable[[], Any]] = None,
    in_process: Optional[bool] = None,
    title: Optional[str] = None,
    log: Optional[Callable[[str], None]] = None,
) -> BatchResult:
    """Check every article of `inputs` against `wires` (an archive file or a folder of wire
    files) and write results, review pages and the report under `out_dir`.

    ``workers``: processes (default: the CPUs this process may use). ``in_process``: run in
    this process instead of a pool (default: when ``workers == 1``); ``pipeline`` (anything
    with ``analyse``) is used there, else one is made. ``pipeline_factory``: a picklable
    callable each worker calls instead of loading :class:`~attribution.pipeline.Pipeline`
    (tests, other detectors). ``progress``: None = a bar when stderr is a terminal.
    ``log``: where one-line notes go (default: stderr).

    The pool starts its workers as fresh interpreters (forkserver, else spawn), which
    import the main module again: a script that calls this with ``workers > 1`` must do so
    under ``if __name__ == "__main__":`` (the `attribution` command does).
    """
    t_start = time.perf_counter()
    fail_on = tuple(fail_on)
    say = log or (lambda m: (sys.stderr.write(m + "\n"), sys.stderr.flush()))
    out = Path(out_dir)
    wires = Path(wires)
    if not wires.exists():
        raise BatchUsageError(f"{wires}: no wire archive or folder here [{E_NOT_FOUND}]")
    units = collect_units(inputs)
    if out.exists() and not out.is_dir():
        raise BatchUsageError(f"{out}: exists and is not a folder")
    (out / "articles").mkdir(parents=True, exist_ok=True)
    (out / "review").mkdir(parents=True, exist_ok=True)
    _clean_tmp(out)

    workers = workers or default_workers()
    if in_process is None:
        in_process = workers <= 1 or pipeline is not None
    folder_archive = None
    try:
        if wires.is_dir():
            from attribution.wires import WireArchive

            if pipeline is None and pipeline_factory is not None:
                pipeline = pipeline_factory()
            if pipeline is None:
                from attribution.pipeline import Pipeline

                pipeline = Pipeline(detector=detector)
            archive = WireArchive.from_folder(wires, pipeline=pipeline)
            for s in archive.ingest_report.skipped:
                if getattr(s, "error", False):
                    say(f"attribution: error: {s.source}: {s.reason} (skipped)")
            db = archive.store.path
            archive.store.close()  # the workers open it read-only; close() below deletes it
            folder_archive = archive
        else:
            db = str(wires)
            _probe_archive(db)
        settings = settings_hash(wires.resolve().as_posix(), window_days, detector)

        done = {} if force else _scan_done(out / "articles")
        todo: list[Unit] = []
        failures: list[dict] = []
        names: dict[str, str] = {}  # key -> result file stem
        resumed = 0
        for u in units:
            if u.error is not None:
                failures.append({"input": u.label, "reason": u.error[0], "code": u.error[1]})
                continue
            prev = done.get(u.key)
            if prev is not None and prev[1].get("content_hash") == u.content_hash \
                    and prev[1].get("settings") == settings:
                names[u.key] = prev[0].stem
                resumed += 1
                continue
            todo.append(u)
        cfg = {"db": db, "window_days": window_days, "out": str(out), "fail_on": fail_on,
               "settings": settings, "detector": detector}
        bar = _Progress(len(todo), resumed, progress)
        results: list[dict] = []
        try:
            if in_process:
                _init_worker(cfg, pipeline_factory, pipeline)
                try:
                    for u in todo:
                        results.append(_process(u))
                        bar.advance()
                finally:
                    _close_worker()
            else:
                results = _run_pool(todo, cfg, min(workers, max(1, len(todo))), pipeline_factory, bar)
        finally:
            bar.stop()
        by_key = {u.key: u for u in todo}
        for r in results:
            if r["status"] == "ok":
                names[r["key"]] = by_key[r["key"]].name
            else:
                failures.append({"input": r["label"], "reason": r["reason"], "code": r.get("code", "E000")})
        processed = sum(1 for r in results if r["status"] == "ok")

        from attribution.report.batch_report import write_batch_report

        order = {u.key: n for n, u in enumerate(units)}
        failures.sort(key=lambda f: f["input"])
        elapsed = time.perf_counter() - t_start
        meta = {
            "inputs": [str(i) for i in inputs], "wires": str(wires), "fail_on": list(fail_on),
            "window_days": window_days, "workers": 1 if in_process else workers,
            "articles": {"total": len(units), "checked": len(names), "processed": processed,
                         "resumed": resumed, "failed": len(failures)},
            "elapsed_s": round(elapsed, 3),
        }
        files = [out / "articles" / f"{names[u.key]}.json" for u in sorted(units, key=lambda u: order[u.key])
                 if u.key in names]
        summary = write_batch_report(out, files, failures, fail_on=fail_on, meta=meta, title=title)
        return BatchResult(out, len(units), processed, resumed, failures,
                           summary.get("gate", {}).get("failing_quotes", 0), summary,
                           time.perf_counter() - t_start)
    finally:
        if folder_archive is not None:
            folder_archive.close()


def _run_pool(todo: list[Unit], cfg: dict, workers: int, pipeline_factory, bar: _Progress,
              retries: int = 2) -> list[dict]:
    """Run `todo` on a process pool, a bounded number in flight; a pool that breaks (a
    worker killed, out of memory) is replaced and the unfinished articles resubmitted,
    up to `retries` times, then they are listed as failures."""
    results: list[dict] = []
    pending = list(todo)
    attempt = 0
    while pending:
        attempt += 1
        broken: list[Unit] = []
        with ProcessPoolExecutor(max_workers=workers, mp_context=_mp_context(),
                                 initializer=_init_worker, initargs=(cfg, pipeline_factory)) as pool:
            queue = list(reversed(pending))
            inflight: dict = {}
            limit = workers * 4
            while queue or inflight:
                while queue and len(inflight) < limit:
                    u = queue.pop()
                    try:
                        inflight[pool.submit(_process, u)] = u
                    except BrokenProcessPool:
                        broken.append(u)
                        broken.extend(reversed(queue))
                        queue = []
                        break
                if not inflight:
                    break
                finished, _ = wait(inflight, return_when=FIRST_COMPLETED)
                for fut in finished:
                    u = inflight.pop(fut)
                    try:
                        results.append(fut.result())
                        bar.advance()
                    except BrokenProcessPool:
                        broken.append(u)
                    except Exception as e:  # pickling and the like
                        results.append({"key": u.key, "label": u.label, "status": "error",
                                        "reason": f"{u.label}: internal error ({type(e).__name__}: {e}) [E000]",
                                        "code": "E000"})
                        bar.advance()
        pending = broken
        if pending and attempt > retries:
            for u in pending:
                results.append({"key": u.key, "label": u.label, "status": "error",
                                "reason": f"{u.label}: a worker process died while checking it [E000]",
                                "code": "E000"})
                bar.advance()
            break
    return results


__all__ = ["run_batch", "BatchResult", "BatchUsageError", "collect_units", "safe_name", "Unit",
           "INPUT_EXTENSIONS", "default_workers"]
