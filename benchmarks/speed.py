"""Speed benchmark: CLI startup, pipeline throughput, memory, scaling on large articles.

Usage (from the repository root, in the venv)::

    python benchmarks/speed.py [--n 60] [--words 600] [--sizes 1,2,4] [--seed 7]
                               [--detector rules|rules-broad|tagger|hybrid] [--repeat 3]
                               [--batch-size 16] [--no-large] [--json [FILE]]

Measures

(a) startup: median of 5 runs of ``python -m attribution --help`` as a subprocess (or the
    ``attribution`` console script when there is no ``attribution/__main__.py``);
(b) throughput: ``Pipeline()`` load time, then ``Pipeline.analyse_many`` on ``--n``
    generated articles of about ``--words`` words, ``--repeat`` times, the median reported
    (articles/s and words/s, load excluded; one small warm-up article is analysed first and
    timed apart; the machine's speed varies by a quarter from run to run);
    With a torch detector (``tagger``, ``hybrid``) ``analyse_many`` runs on worker
    processes: the peak RSS of the largest worker and of all of them together is sampled
    from /proc while it runs;
(c) peak RSS of this process (``resource.getrusage(RUSAGE_SELF).ru_maxrss``) after (b) and
    after (d);
(d) robustness: seconds to analyse one article of 1, 2 and 4 MB (``--sizes``; generated
    paragraphs repeated) and seconds per MB, to show linear scaling; errors are reported,
    not raised; plus ``attribution quotes FILE --format json`` end to end on one generated
    article (subprocess, model load included).

The articles come from a small seeded generator of invented news paragraphs (direct,
split, partial and indirect quotes, "according to", names, roles, pronouns, carry-over
paragraphs, background sentences); no corpus text is used.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional, Sequence

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import fmt_table, write_json  # noqa: E402

REPO = Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------------- generator

PEOPLE = [
    ("Marta Lindqvist", "she", "the transport minister"),
    ("Tomasz Berezin", "he", "the union leader"),
    ("Adaeze Okafor", "she", "the agency's director"),
    ("Henrik Vale", "he", "the harbour master"),
    ("Lucía Romero", "she", "the deputy mayor"),
    ("Daniel Osei", "he", "the finance minister"),
    ("Ingrid Halvorsen", "she", "the company's chief executive"),
    ("Kemal Aydın", "he", "the opposition leader"),
    ("Sofia Brandt", "she", "the committee chair"),
    ("Rafael Duarte", "he", "the regional governor"),
]
ORGS = ["the Coastal Freight Board", "the Ministry of Infrastructure", "the Northern Rail Company",
        "the City Council", "the Regional Water Authority", "the Port Workers' Federation"]
CAPITALS = [("Oslo", "Norway"), ("Lisbon", "Portugal"), ("Warsaw", "Poland"), ("Ankara", "Turkey")]
SUBJECTS = ["We", "The government", "Our members", "This plan", "The new terminal", "Nobody here",
            "The budget", "Every family in the region", "The delay", "This agreement"]
VERBS = ["will not accept", "has always supported", "cannot afford", "must finish", "is ready to discuss",
         "will review", "has never opposed", "should protect", "is going to change", "needs"]
OBJECTS = ["the new timetable", "a fair deal for the workers", "the cost of the bridge",
           "the safety of passengers", "another year of delays", "the promises made in March",
           "the rules we agreed on", "a proper investigation", "the money for the schools",
           "the contract with the shipyard"]
TAILS = ["before the winter", "this year", "under any circumstances", "in the coming weeks",
         "without a vote in parliament", "as soon as possible", "for the sake of the city", ""]
CLAUSES = ["the talks would resume on Monday", "the ferry service had been suspended for two weeks",
           "about 1,200 jobs were at risk", "the inspectors had found no faults in the cranes",
           "the ministry would publish the report in June", "the strike had cost the port 3 million euros",
           "the two sides were close to an agreement", "prices for tickets would rise by 4 percent"]
BACKGROUND = ["The port handled more traffic last year than at any time in the past decade.",
              "Negotiations began in the spring after a series of short stoppages.",
              "The bridge, first proposed in 2009, has been delayed several times.",
              "Local businesses have complained about the disruption for months.",
              "The regional assembly is due to vote on the budget next week.",
              "Ferries between the two towns carry around 4,000 passengers a day.",
              "Officials have not said when the inspection will be completed."]
SAY = ["said", "told reporters", "added", "said on Tuesday", "told a news conference"]


def _sentence(rng: random.Random) -> str:
    tail = rng.choice(TAILS)
    subj, verb = rng.choice(SUBJECTS), rng.choice(VERBS)
    if subj in ("We", "Our members"):
        verb = verb.replace("has ", "have ").replace("is ", "are ").replace("needs", "need")
    return f"{subj} {verb} {rng.choice(OBJECTS)}{' ' + tail if tail else ''}"


def _paragraph(rng: random.Random, state: dict) -> str:
    name, pron, role = rng.choice(PEOPLE)
    surname = name.split()[-1]
    first = name not in state["introduced"]
    who = f"{name}, {role}," if first else surname
    state["introduced"].add(name)
    kind = rng.choice(["direct", "direct_post", "split", "indirect", "according", "partial",
                       "pronoun", "metonym", "carry", "background", "background"])
    if kind == "direct":
        return f"“{_sentence(rng)},” {who} {rng.choice(SAY)}. {rng.choice(BACKGROUND)}"
    if kind == "direct_post":
        return f"“{_sentence(rng)}. {_sentence(rng)},” said {name}."
    if kind == "split":
        return f"“{_sentence(rng)},” {pron} said. “{_sentence(rng)}.”"
    if kind == "indirect":
        return f"{who} said that {rng.choice(CLAUSES)}. {rng.choice(BACKGROUND)}"
    if kind == "according":
        return f"According to {rng.choice(ORGS)}, {rng.choice(CLAUSES)}."
    if kind == "partial":
        return f"{who} described the proposal as “{rng.choice(OBJECTS)}” and said {rng.choice(CLAUSES)}."
    if kind == "pronoun":
        return f"{pron.capitalize()} said {rng.choice(CLAUSES)}, adding: “{_sentence(rng)}.”"
    if kind == "metonym":
        city, _country = rng.choice(CAPITALS)
        return f"{city} has said {rng.choice(CLAUSES)}."
    if kind == "carry":
        return f"“{_sentence(rng)}. {_sentence(rng)}.”"
    return " ".join(rng.sample(BACKGROUND, 2))


def generate_article(seed: int, words: int = 600) -> str:
    """A headline and blank-line-separated paragraphs, about ``words`` words."""
    rng = random.Random(seed)
    state = {"introduced": set()}
    title = f"{rng.choice(['Talks', 'Dispute', 'Plan', 'Strike'])} over {rng.choice(OBJECTS)} continue"
    paras = [title]
    n = len(title.split())
    while n < words:
        p = _paragraph(rng, state)
        paras.append(p)
        n += len(p.split())
    return "\n\n".join(paras) + "\n"


def generate_large(n_bytes: int, seed: int = 1) -> str:
    """An article of at least ``n_bytes`` UTF-8 bytes: generated paragraphs, repeated."""
    base = generate_article(seed, 3000)
    head, body = base.split("\n\n", 1)
    chunks = [head]
    size = len(head.encode())
    b = len(body.encode())
    while size < n_bytes:
        chunks.append(body.rstrip("\n"))
        size += b + 2
    return "\n\n".join(chunks) + "\n"


# ---------------------------------------------------------------------- measures


def cli_command() -> Optional[list[str]]:
    if (REPO / "attribution" / "__main__.py").exists():
        return [sys.executable, "-m", "attribution"]
    exe = shutil.which("attribution") or shutil.which("attribution", path=str(Path(sys.executable).parent))
    return [exe] if exe else None


def time_startup(runs: int = 5) -> Optional[dict]:
    cmd = cli_command()
    if cmd is None:
        return None
    times = []
    rc = None
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd + ["--help"], capture_output=True, cwd=REPO)
        times.append(time.perf_counter() - t0)
        rc = proc.returncode
    return {"median_s": round(statistics.median(times), 3), "min_s": round(min(times), 3),
            "runs": runs, "rc": rc, "command": " ".join(Path(c).name if i == 0 else c for i, c in enumerate(cmd))}


def peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


class TreeMemory:
    """Peak resident memory of this process's descendants (a worker pool), sampled from
    /proc every 0.2 s while running: the largest single process and the largest sum."""

    def __init__(self):
        import threading

        self.max_one = self.max_sum = 0.0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()

    @staticmethod
    def _descendants() -> list[int]:
        parent = {}
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    with open(f"/proc/{d}/stat") as fh:
                        parent[int(d)] = int(fh.read().rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    pass
        me, out, frontier = os.getpid(), [], {os.getpid()}
        while frontier:
            frontier = {p for p, pp in parent.items() if pp in frontier and p != me}
            out.extend(frontier)
        return out

    def _run(self) -> None:
        if not os.path.isdir("/proc"):
            return
        while not self._stop.wait(0.2):
            sizes = []
            for pid in self._descendants():
                try:
                    with open(f"/proc/{pid}/status") as fh:
                        for line in fh:
                            if line.startswith("VmRSS:"):
                                sizes.append(int(line.split()[1]) / 1024)
                except OSError:
                    pass
            if sizes:
                self.max_one = max(self.max_one, max(sizes))
                self.max_sum = max(self.max_sum, sum(sizes))


def time_cli_quotes(text: str) -> Optional[dict]:
    cmd = cli_command()
    if cmd is None:
        return None
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "article.txt"
        p.write_text(text, encoding="utf-8")
        t0 = time.perf_counter()
        proc = subprocess.run(cmd + ["quotes", str(p), "--format", "json"], capture_output=True, cwd=REPO)
        el = time.perf_counter() - t0
    n = None
    if proc.returncode == 0:
        try:
            n = len(json.loads(proc.stdout).get("quotes", []))
        except (ValueError, AttributeError):
            n = None
    return {"seconds": round(el, 3), "rc": proc.returncode, "quotes": n,
            "stderr_tail": proc.stderr.decode("utf-8", "replace")[-300:] if proc.returncode else ""}


def _analyse_many(pipeline, docs, batch_size):
    import inspect

    if "batch_size" in inspect.signature(pipeline.analyse_many).parameters:
        return list(pipeline.analyse_many(docs, batch_size=batch_size))
    return list(pipeline.analyse_many(docs))


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=60, help="articles for throughput (default 60)")
    ap.add_argument("--words", type=int, default=600, help="words per article (default 600)")
    ap.add_argument("--sizes", default="1,2,4", help="large-article sizes in MB (default 1,2,4)")
    ap.add_argument("--no-large", action="store_true", help="skip the large articles")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3, help="throughput runs; the median is reported (default 3)")
    ap.add_argument("--detector", default="rules", help="rules | rules-broad | tagger | hybrid (default rules)")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--json", nargs="?", const="-", default=None, metavar="FILE",
                    help="dump the numbers as JSON (to stdout when no FILE; tables go to stderr)")
    args = ap.parse_args(argv)
    out = sys.stderr if args.json == "-" else sys.stdout
    res: dict = {}

    res["startup"] = time_startup()

    from attribution.io.readers import document_from_text
    from attribution.pipeline import Pipeline

    res["detector"] = args.detector
    t0 = time.perf_counter()
    pipeline = Pipeline(args.detector)
    res["model_load_s"] = round(time.perf_counter() - t0, 3)
    t0 = time.perf_counter()
    pipeline.analyse(document_from_text(generate_article(args.seed - 1, 80)))
    res["warmup_s"] = round(time.perf_counter() - t0, 3)

    texts = [generate_article(args.seed + i, args.words) for i in range(args.n)]
    docs = [document_from_text(t) for t in texts]
    n_words = sum(len(t.split()) for t in texts)
    runs = []
    with TreeMemory() as tree:
        for _ in range(max(1, args.repeat)):
            t0 = time.perf_counter()
            analyses = _analyse_many(pipeline, docs, args.batch_size)
            runs.append(time.perf_counter() - t0)
    el = statistics.median(runs)
    res["throughput"] = {
        "articles": args.n, "words": n_words, "seconds": round(el, 3),
        "articles_per_s": round(args.n / el, 2), "words_per_s": round(n_words / el, 1),
        "runs_articles_per_s": [round(args.n / r, 2) for r in runs],
        "quotes": sum(len(a.quotes) for a in analyses),
        "worker_peak_rss_mb": round(tree.max_one, 1), "workers_peak_rss_sum_mb": round(tree.max_sum, 1),
    }
    # the same articles parsed in this process only (what one worker of `batch` does)
    single = Pipeline(args.detector, nlp=pipeline.nlp, n_process=1)
    runs = []
    for _ in range(max(1, args.repeat)):
        t0 = time.perf_counter()
        _analyse_many(single, docs, args.batch_size)
        runs.append(time.perf_counter() - t0)
    el = statistics.median(runs)
    res["throughput"]["one_process_articles_per_s"] = round(args.n / el, 2)
    t0 = time.perf_counter()
    for d in docs[: min(10, len(docs))]:
        pipeline.analyse(d)
    el1 = time.perf_counter() - t0
    res["throughput"]["analyse_one_by_one_articles_per_s"] = round(min(10, len(docs)) / el1, 2) if el1 else None
    res["peak_rss_mb_after_throughput"] = round(peak_rss_mb(), 1)

    res["large"] = []
    if not args.no_large:
        for mb in [float(x) for x in args.sizes.split(",") if x.strip()]:
            text = generate_large(int(mb * 1024 * 1024))
            row = {"mb": mb, "chars": len(text)}
            t0 = time.perf_counter()
            try:
                an = pipeline.analyse(document_from_text(text))
                row["seconds"] = round(time.perf_counter() - t0, 2)
                row["s_per_mb"] = round(row["seconds"] / mb, 2)
                row["quotes"] = len(an.quotes)
            except Exception as e:  # a failure here is a finding, not a crash
                row["seconds"] = round(time.perf_counter() - t0, 2)
                row["error"] = f"{type(e).__name__}: {str(e)[:200]}"
            res["large"].append(row)
            print(f"  large {mb:g} MB: {row}", file=sys.stderr)
    res["peak_rss_mb"] = round(peak_rss_mb(), 1)
    res["cli_quotes"] = time_cli_quotes(texts[0])

    # ------------------------------------------------------------------ print
    rows = []
    st = res["startup"]
    rows.append(["startup: attribution --help (median of 5)",
                 f"{st['median_s']:.2f} s" if st else "no CLI", f"rc {st['rc']}" if st else ""])
    rows.append(["model load: Pipeline()", f"{res['model_load_s']:.2f} s", ""])
    rows.append(["warm-up: first small article", f"{res['warmup_s']:.2f} s", ""])
    tp = res["throughput"]
    rows.append([f"analyse_many ({os.cpu_count()} CPUs): {tp['articles']} articles, {tp['words']} words",
                 f"{tp['articles_per_s']:.2f} art/s", f"median of {len(tp['runs_articles_per_s'])} runs "
                 f"({', '.join(map(str, tp['runs_articles_per_s']))}); {tp['words_per_s']:.0f} words/s, {tp['quotes']} quotes"])
    if tp["worker_peak_rss_mb"]:
        rows.append(["  worker processes: peak RSS of one / of all together",
                     f"{tp['worker_peak_rss_mb']:.0f} MB", f"{tp['workers_peak_rss_sum_mb']:.0f} MB together"])
    rows.append(["analyse_many in one process", f"{tp['one_process_articles_per_s']:.2f} art/s", ""])
    rows.append(["analyse one by one (10 articles)", f"{tp['analyse_one_by_one_articles_per_s']} art/s", ""])
    rows.append(["peak RSS after throughput", f"{res['peak_rss_mb_after_throughput']:.0f} MB", ""])
    for r in res["large"]:
        rows.append([f"large article {r['mb']:g} MB ({r['chars']} chars)", f"{r['seconds']:.2f} s",
                     r.get("error") or f"{r['s_per_mb']:.2f} s/MB, {r['quotes']} quotes"])
    rows.append(["peak RSS (end)", f"{res['peak_rss_mb']:.0f} MB", ""])
    cq = res["cli_quotes"]
    if cq:
        rows.append(["CLI: attribution quotes ARTICLE --format json", f"{cq['seconds']:.2f} s",
                     f"rc {cq['rc']}, {cq['quotes']} quotes" + (f"; {cq['stderr_tail'].strip()[-120:]}" if cq["rc"] else "")])
    else:
        rows.append(["CLI: attribution quotes ARTICLE", "no CLI", ""])
    print(fmt_table(["measure", "value", "detail"], rows, f"Speed, detector {args.detector} (python {sys.version.split()[0]}, {os.cpu_count()} CPUs)"),
          file=out)
    if args.json is not None:
        write_json(res, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
