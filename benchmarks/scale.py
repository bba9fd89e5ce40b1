"""Archive scale: ingest speed, check latency per article and size on disk.

For each archive size (items of synthetic wire copy, :mod:`benchmarks.synth`):

* **ingest (stored)**: items/s writing pre-analysed items (quotes known): reading,
  sentence split, names, FTS indexes, one transaction per batch - the archive's own cost;
* **check p50/p95**: ms per ~600-word article with ~10 quotes (gold quotes, so the
  number is the matcher's, not spaCy's), over ``--articles`` articles of events in the
  archive;
* **DB size** on disk (database + WAL).

Once, on ``--pipeline-items`` items: ingest items/s with the real quote pipeline (spaCy)
and with the pipeline plus MiniLM embeddings (``--no-embed-run`` skips that one).

    python -m benchmarks.scale --sizes 1000,10000[,100000] [--articles 40] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = min(len(xs) - 1, max(0, int(round(p / 100 * (len(xs) - 1)))))
    return xs[k]


def run_size(n: int, articles: int, seed: int, tmp: Path) -> dict:
    from attribution.match.matcher import Matcher
    from attribution.wires.ingest import Ingester
    from attribution.wires.store import SQLiteWireStore

    from benchmarks.synth import Synth

    gen = Synth(seed)
    db = tmp / f"scale-{n}.db"
    store = SQLiteWireStore(db)
    # items and their analyses come in step from one generator, stored in batches
    t = time.perf_counter()
    buf = []
    done = 0
    ing = Ingester(store, pipeline=False, batch_size=64)
    for it, ana in gen.wire_items(n):
        buf.append((it, ana))
        if len(buf) >= 2000:
            ing.ingest_items([b[0] for b in buf], analyses=[b[1] for b in buf])
            done += len(buf)
            buf = []
    if buf:
        ing.ingest_items([b[0] for b in buf], analyses=[b[1] for b in buf])
    ingest_s = time.perf_counter() - t
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    n_events = gen.n_events(n)
    matcher = Matcher(store, embed=False)
    times = []
    outcomes = {"ok": 0, "total": 0}
    step = max(1, n_events // articles)
    for k in range(articles):
        ev = (k * step) % n_events
        ana, expected = gen.article(ev)
        t = time.perf_counter()
        checked = matcher.check(ana)
        times.append(1000 * (time.perf_counter() - t))
        for cq, exp in zip(checked, expected):
            if exp == "unverified":
                outcomes["total"] += 1
                outcomes["ok"] += cq.verdict == "unverified"
    size = _size(db)
    store.close()
    return {
        "items": n, "ingest_items_s": n / ingest_s, "check_p50_ms": _pct(times, 50),
        "check_p95_ms": _pct(times, 95), "check_mean_ms": statistics.mean(times),
        "db_mb": size / 2**20, "unverified_ok": f"{outcomes['ok']}/{outcomes['total']}",
    }


def run_pipeline(n: int, seed: int, tmp: Path, embed: bool, workers: int = 1, fast: bool = False) -> float:
    """items/s ingesting n synthetic items through the real pipeline (spaCy)."""
    from attribution.pipeline import Pipeline
    from attribution.wires.ingest import Ingester
    from attribution.wires.store import SQLiteWireStore

    from benchmarks.synth import Synth

    items = [it for it, _ in Synth(seed + 1).wire_items(n + 20)]
    if fast:
        from attribution.wires.fastquotes import FastWireAnalyser

        pipeline = FastWireAnalyser()
    else:
        pipeline = Pipeline() if workers <= 1 else None
    store = SQLiteWireStore(tmp / f"pipe-{embed}-{workers}-{fast}.db")
    ing = Ingester(store, pipeline=pipeline, embed=embed, workers=workers)
    if workers > 1:
        ing.close = lambda: None  # keep the worker pool (and its loaded models) for the timed run
    ing.ingest_items(items[:20])  # warm-up: model load, first batches
    t = time.perf_counter()
    ing.ingest_items(items[20:])
    v = n / (time.perf_counter() - t)
    if ing._pool is not None:
        ing._pool.shutdown()
    store.close()
    return v


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000", help="comma-separated archive sizes (items)")
    ap.add_argument("--articles", type=int, default=40)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--pipeline-items", type=int, default=200,
                    help="items for the pipeline ingest measurement (0: skip)")
    ap.add_argument("--workers", type=int, default=2, help="worker processes for the pipeline run")
    ap.add_argument("--no-embed-run", action="store_true", help="skip the ingest run with embeddings")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    ap.add_argument("--tmp", type=Path, default=None, help="folder for the archives (default: a temp dir)")
    args = ap.parse_args(argv)
    if args.threads:
        os.environ["OMP_NUM_THREADS"] = str(args.threads)
        try:
            import torch

            torch.set_num_threads(args.threads)
        except ImportError:  # pragma: no cover
            pass
    sizes = [int(s.replace("_", "").replace("k", "000")) for s in args.sizes.split(",") if s.strip()]
    with tempfile.TemporaryDirectory(prefix="attribution-scale-", dir=args.tmp) as d:
        tmp = Path(d)
        rows = []
        for n in sizes:
            r = run_size(n, args.articles, args.seed, tmp)
            rows.append(r)
            print(f"  {n} items done", file=sys.stderr)
        print(f"\nArchive scale (synthetic wires, ~190 words/item; check = ~600-word article, "
              f"~10 quotes, {args.articles} articles; cpus={os.cpu_count()})")
        print(f"{'items':>8} {'ingest it/s':>12} {'check p50 ms':>13} {'check p95 ms':>13} "
              f"{'DB MB':>8} {'unverified ok':>14}")
        for r in rows:
            print(f"{r['items']:>8} {r['ingest_items_s']:>12.0f} {r['check_p50_ms']:>13.1f} "
                  f"{r['check_p95_ms']:>13.1f} {r['db_mb']:>8.1f} {r['unverified_ok']:>14}")
        if args.pipeline_items:
            print(f"\nIngest from wire text, quotes detected at ingest ({args.pipeline_items} items):")
            v = run_pipeline(args.pipeline_items, args.seed, tmp, embed=False, fast=True)
            print(f"  fast wire quote finder (--fast), no embeddings: {v:.1f} items/s")
            v = run_pipeline(args.pipeline_items, args.seed, tmp, embed=False)
            print(f"  spaCy pipeline, no embeddings, 1 process: {v:.1f} items/s")
            if args.workers > 1:
                v = run_pipeline(args.pipeline_items, args.seed, tmp, embed=False, workers=args.workers)
                print(f"  spaCy pipeline, no embeddings, {args.workers} worker processes: {v:.1f} items/s")
            if not args.no_embed_run:
                v = run_pipeline(args.pipeline_items, args.seed, tmp, embed=True)
                print(f"  spaCy pipeline + MiniLM embeddings: {v:.1f} items/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
