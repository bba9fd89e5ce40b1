"""Batch benchmark: throughput with 1 and 2 workers, and the batch report at 5,000 articles.

Usage (from the repository root, in the venv)::

    python -m benchmarks.batch [--articles 60] [--items 10000] [--workers 1,2]
                               [--report-articles 5000] [--seed 7] [--json [FILE]]
                               [--no-throughput] [--no-report]

(a) **throughput**: a generated archive of ``--items`` wire items (:mod:`benchmarks.synth`,
    stored pre-analysed, no spaCy) and ``--articles`` generated ~600-word articles on
    events in it (plain text files); then :func:`attribution.batch.run_batch` with a
    process pool of 1 and of 2 workers (the real pipeline: spaCy in each worker). Two
    rates per run: *end to end* (articles / wall time of the call, worker start-up and
    model load included) and *steady* (articles finished after each worker's first one,
    over the time between, from the result files' modification times: start-up excluded).
    Target: 2 workers >= 1.8x 1 worker (steady).
(b) **report**: ``--report-articles`` synthetic ``attribution.check/1`` result files
    (articles of :mod:`benchmarks.synth` with made-up verdicts and evidence: ~10 quotes,
    1-3 wire versions each; no pipeline) rendered by
    :func:`attribution.report.batch_report.write_batch_report` (reading the files
    included): seconds and the size of ``report.html``. Target: <= 10 s and < 20 MB.
    Also the review page (:func:`attribution.report.html.render_review`): ms per article.

The figures depend on the machine: say which one (``cpus`` is printed) and run nothing
else at the same time for the throughput part.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_SPEEDUP = 1.8
TARGET_REPORT_S = 10.0
TARGET_REPORT_MB = 20.0


# --------------------------------------------------------------------------- data


def build_archive(db: Path, n_items: int, seed: int) -> int:
    """Store `n_items` synthetic wire items (quotes known: no spaCy); returns the events."""
    from attribution.wires.ingest import Ingester
    from attribution.wires.store import SQLiteWireStore

    from benchmarks.synth import Synth

    gen = Synth(seed)
    store = SQLiteWireStore(db)
    try:
        ing = Ingester(store, pipeline=False, batch_size=64)
        buf = []
        for pair in gen.wire_items(n_items):
            buf.append(pair)
            if len(buf) >= 2000:
                ing.ingest_items([p[0] for p in buf], analyses=[p[1] for p in buf])
                buf = []
        if buf:
            ing.ingest_items([p[0] for p in buf], analyses=[p[1] for p in buf])
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    return gen.n_events(n_items)


def write_articles(folder: Path, n: int, n_events: int, seed: int) -> list[Path]:
    from benchmarks.synth import Synth

    gen = Synth(seed)
    folder.mkdir(parents=True, exist_ok=True)
    step = max(1, n_events // max(1, n))
    paths = []
    for k in range(n):
        ana, _ = gen.article((k * step) % n_events)
        p = folder / f"article-{k:05d}.txt"
        p.write_text(ana.document.text + "\n", encoding="utf-8")
        paths.append(p)
    return paths


# --------------------------------------------------------------------------- (a) throughput


def run_throughput(db: Path, articles: Path, n: int, workers: int, out: Path) -> dict:
    from attribution.batch import run_batch

    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    res = run_batch([articles], db, out, workers=workers, in_process=False, progress=False,
                    log=lambda m: None)
    wall = time.perf_counter() - t0
    batches = [json.loads(p.read_text(encoding="utf-8"))["batch"] for p in (out / "articles").glob("*.json")]
    per_article = [b["elapsed_s"] for b in batches]
    per_article_cpu = [b.get("cpu_s", float("nan")) for b in batches]
    if res.failures:
        raise RuntimeError(f"batch failures: {res.failures[:3]}")
    stamps = sorted(p.stat().st_mtime_ns / 1e9 for p in (out / "articles").glob("*.json"))
    span = stamps[-1] - stamps[0] if len(stamps) > 1 else float("nan")
    # CPU the workers got while all were running: about `workers` on idle cores
    cores = sum(per_article_cpu) / span if span == span and span > 0 else float("nan")
    k = min(workers, len(stamps) - 1)
    steady = (len(stamps) - 1 - (k - 1)) / (stamps[-1] - stamps[k - 1]) if len(stamps) > k and stamps[-1] > stamps[k - 1] else float("nan")
    # k-th stamp: every worker has finished its first article (start-up behind it)
    quotes = res.summary["quotes"]
    return {"workers": workers, "articles": n, "wall_s": round(wall, 2),
            "end_to_end_per_s": round(n / wall, 2), "steady_per_s": round(steady, 2),
            "article_ms_median": round(1000 * statistics.median(per_article), 1),
            "article_cpu_ms_median": round(1000 * statistics.median(per_article_cpu), 1),
            "cores_used": round(cores, 2),
            "loadavg_before": round(load0, 2), "loadavg_after": round(os.getloadavg()[0], 2),
            "quotes": quotes["total"],
            "verdicts": {v: quotes[v] for v in ("confirmed", "paraphrased", "altered", "misattributed", "unverified")}}


# --------------------------------------------------------------------------- (b) report


AGENCIES = ["AFP", "AP", "Reuters", "TASS", "Interfax"]


def synthetic_results(n: int, seed: int) -> list[dict]:
    """Result objects as the batch writes them, for `n` synthetic articles (no pipeline)."""
    from attribution.report.jsonout import analysis_to_json

    from benchmarks.synth import Synth

    gen = Synth(seed)
    rng = random.Random(seed)
    out = []
    n_events = 4000
    for k in range(n):
        ana, expected = gen.article(k % n_events)
        obj = analysis_to_json(ana, include_text=True)
        for q, exp in zip(obj["quotes"], expected):
            v = exp.rstrip("?")
            if v == "confirmed" and rng.random() < 0.15:
                v = "paraphrased"
            if v == "altered" and rng.random() < 0.1:
                v = "misattributed"
            evs = []
            if v != "unverified":
                for j, ag in enumerate(rng.sample(AGENCIES, rng.randint(1, 3))):
                    ev_v = v if j == 0 else rng.choice(["confirmed", "paraphrased", "altered", "unverified"])
                    diffs = ([{"op": "replace", "article": "14", "wire": "40", "kind": "number"}]
                             if ev_v == "altered" else [])
                    evs.append({"wire_id": f"synth-{k}-{ag}", "agency": ag, "date": ana.document.date,
                                "headline": ana.document.title, "text": q["text"], "start": 0,
                                "end": len(q["text"]), "speaker": q["speaker"]["name"],
                                "similarity": round(rng.uniform(80, 100), 1), "verdict": ev_v,
                                "differences": diffs})
            q["verdict"], q["evidence"] = v, evs
        counts = {"quotes": len(obj["quotes"])}
        for v in ("confirmed", "paraphrased", "altered", "misattributed", "unverified"):
            counts[v] = sum(q["verdict"] == v for q in obj["quotes"])
        obj["summary"] = counts
        obj["batch"] = {"schema": "attribution.batch/1", "input": f"synth/desk-{k % 7}/article-{k:05d}.txt",
                        "key": f"/synth/article-{k:05d}", "name": f"article-{k:05d}", "content_hash": "0" * 64,
                        "settings": "bench", "group": f"desk-{k % 7}", "outlet": "",
                        "review": f"review/article-{k:05d}.html"}
        out.append(obj)
    return out


def run_report(n: int, seed: int, tmp: Path) -> dict:
    from attribution.report.batch_report import write_batch_report
    from attribution.report.html import render_review

    results = synthetic_results(n, seed)
    art = tmp / "report" / "articles"
    art.mkdir(parents=True)
    files = []
    for r in results:
        p = art / f"{r['batch']['name']}.json"
        p.write_text(json.dumps(r, ensure_ascii=False) + "\n", encoding="utf-8")
        files.append(p)
    quotes = sum(len(r["quotes"]) for r in results)
    del results
    t = time.perf_counter()
    summary = write_batch_report(tmp / "report", files, [], meta={"inputs": ["synth/"], "wires": "synth.db"})
    secs = time.perf_counter() - t
    size = (tmp / "report" / "report.html").stat().st_size

    # the review page, per article (from analyses as the worker has them)
    from attribution.model import Analysis, CheckedQuote, Evidence

    from benchmarks.synth import Synth

    gen = Synth(seed)
    analyses = []
    for k in range(50):
        ana, expected = gen.article(k)
        checked = tuple(CheckedQuote(q, e.rstrip("?"), (Evidence("w", "AFP", ana.document.date, "h", q.text, 0,
                                                                  len(q.text), q.speaker.name, 95.0,
                                                                  e.rstrip("?")),))
                        for q, e in zip(ana.quotes, expected))
        analyses.append(Analysis(ana.document, ana.quotes, checked))
    times = []
    for a in analyses:
        t0 = time.perf_counter()
        page = render_review(a)
        times.append(1000 * (time.perf_counter() - t0))
    return {"articles": n, "quotes": quotes, "failing_quotes": summary["gate"]["failing_quotes"],
            "render_s": round(secs, 2), "report_mb": round(size / 2**20, 2),
            "csv_mb": round((tmp / "report" / "quotes.csv").stat().st_size / 2**20, 2),
            "review_page_ms": round(statistics.median(times), 1), "review_page_kb": round(len(page) / 1024, 1)}


# --------------------------------------------------------------------------- main


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=60, help="articles for the throughput runs")
    ap.add_argument("--items", type=int, default=10_000, help="wire items in the generated archive")
    ap.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    ap.add_argument("--report-articles", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-throughput", action="store_true")
    ap.add_argument("--no-report", action="store_true")
    ap.add_argument("--json", nargs="?", const="-", default=None, help="also write the figures as JSON")
    ap.add_argument("--tmp", type=Path, default=None, help="folder for the temporary files")
    args = ap.parse_args(argv)
    figures: dict = {"cpus": os.cpu_count(), "affinity": len(os.sched_getaffinity(0))
                     if hasattr(os, "sched_getaffinity") else None}
    ok = True
    with tempfile.TemporaryDirectory(prefix="attribution-bench-batch-", dir=args.tmp) as d:
        tmp = Path(d)
        if not args.no_throughput:
            t = time.perf_counter()
            n_events = build_archive(tmp / "wires.db", args.items, args.seed)
            build_s = time.perf_counter() - t
            arts = tmp / "articles"
            write_articles(arts, args.articles, n_events, args.seed)
            runs = []
            for w in [int(x) for x in args.workers.split(",") if x.strip()]:
                print(f"  batch with {w} worker(s)…", file=sys.stderr)
                runs.append(run_throughput(tmp / "wires.db", arts, args.articles, w, tmp / f"out-{w}"))
            figures["throughput"] = {"archive_items": args.items, "archive_build_s": round(build_s, 1),
                                     "runs": runs}
            print(f"\nBatch throughput ({args.articles} generated ~600-word articles, archive of "
                  f"{args.items} generated wire items; cpus={figures['cpus']}, usable={figures['affinity']})")
            print(f"{'workers':>8} {'wall s':>8} {'end-to-end art/s':>17} {'steady art/s':>13} "
                  f"{'ms/article':>11} {'CPU ms/article':>15} {'cores used':>11} {'load before':>12} {'quotes':>7}")
            for r in runs:
                print(f"{r['workers']:>8} {r['wall_s']:>8.1f} {r['end_to_end_per_s']:>17.2f} "
                      f"{r['steady_per_s']:>13.2f} {r['article_ms_median']:>11.1f} "
                      f"{r['article_cpu_ms_median']:>15.1f} {r['cores_used']:>11.2f} {r['loadavg_before']:>12.2f} "
                      f"{r['quotes']:>7}")
            print("(ms/article: median wall time inside a worker for one article, CPU ms/article: its CPU "
                  "time; wall well above CPU means the worker waited for a core. cores used: the "
                  "workers' CPU seconds over the time from first to last result; it is close to the "
                  "number of workers only on idle cores. load: 1-min load average before the run.)")
            one = next((r for r in runs if r["workers"] == 1), None)
            two = next((r for r in runs if r["workers"] == 2), None)
            if one and two:
                sp = two["steady_per_s"] / one["steady_per_s"]
                sp_e = two["end_to_end_per_s"] / one["end_to_end_per_s"]
                figures["throughput"]["speedup_2v1_steady"] = round(sp, 2)
                figures["throughput"]["speedup_2v1_end_to_end"] = round(sp_e, 2)
                good = sp >= TARGET_SPEEDUP
                ok &= good
                print(f"speed-up 2 vs 1 worker: steady {sp:.2f}x, end to end {sp_e:.2f}x "
                      f"(target >= {TARGET_SPEEDUP}x steady: {'PASS' if good else 'FAIL'})")
                if two["cores_used"] < 1.8:
                    print(f"note: the 2 workers got {two['cores_used']:.2f} cores of CPU between them: the "
                          "machine was busy, so this run cannot show the speed-up; rerun on idle cores")
        if not args.no_report:
            print(f"  report for {args.report_articles} articles…", file=sys.stderr)
            r = run_report(args.report_articles, args.seed, tmp)
            figures["report"] = r
            good = r["render_s"] <= TARGET_REPORT_S and r["report_mb"] < TARGET_REPORT_MB
            ok &= good
            print(f"\nBatch report ({r['articles']} articles, {r['quotes']} quotes, {r['failing_quotes']} failing): "
                  f"{r['render_s']:.2f} s (reading the result files included), report.html {r['report_mb']:.2f} MB, "
                  f"quotes.csv {r['csv_mb']:.2f} MB (targets <= {TARGET_REPORT_S:.0f} s, < {TARGET_REPORT_MB:.0f} MB: "
                  f"{'PASS' if good else 'FAIL'})")
            print(f"Review page: {r['review_page_ms']:.1f} ms per article (median), {r['review_page_kb']:.0f} KB")
    if args.json:
        text = json.dumps(figures, indent=2)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
