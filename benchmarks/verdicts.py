"""Verdict accuracy on the hand-made cases (../shared/data/cases).

For each case its wires are ingested into a temporary archive (quotes detected and
resolved by the pipeline, as in production) and the article is checked twice:

* **gold spans**: the gold quotes, located in the article, with their gold speakers, are
  checked: this measures the matcher on its own, independent of quote detection and
  speaker resolution in the article (the wires still go through the pipeline);
* **end to end**: the pipeline's own quotes of the article are checked, and each gold
  quote is paired with the detected quote that overlaps it most (text overlap); a gold
  quote with no detected counterpart counts as a miss (verdict ``-``).

Prints accuracy, per-verdict precision/recall/F1, macro-F1, the confusion matrix and
accuracy per quote kind, for each variant.

    python -m benchmarks.verdicts [--cases DIR] [--embed] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

VERDICTS = ("confirmed", "paraphrased", "altered", "misattributed", "unverified")
DEFAULT_CASES = ROOT.parent / "shared" / "data" / "cases"


def find_cases(root: Path) -> list[Path]:
    if (root / "cases").is_dir():
        root = root / "cases"
    return sorted(p for p in root.iterdir() if (p / "gold.json").is_file() and (p / "wires").is_dir())


# --------------------------------------------------------------------------- gold quotes


def _locate(text: str, piece: str, start: int = 0) -> Optional[tuple[int, int]]:
    i = text.find(piece, start)
    if i < 0:
        i = text.find(piece)
    if i >= 0:
        return i, i + len(piece)
    # whitespace-insensitive
    pat = r"\s+".join(re.escape(w) for w in piece.split())
    m = re.compile(pat).search(text)
    if m:
        return m.start(), m.end()
    stripped = piece.strip(" ,.;:")
    if stripped != piece and stripped:
        return _locate(text, stripped, start)
    return None


def _speaker_type(name: str) -> str:
    if name.startswith("Government of") or name == "European Union":
        return "government"
    if re.search(r"\b(Court|Commission|Council|Authority|League|Laboratorios|Alliance|Union|Trust|Ministry)\b", name):
        return "organization"
    return "person"


def gold_quotes(doc, gold: dict):
    from attribution.model import Quote, Span, Speaker

    quotes = []
    pos = 0
    for n, g in enumerate(gold["quotes"], 1):
        parts_text = g.get("parts") or [g["text"]]
        spans = []
        for pt in parts_text:
            loc = _locate(doc.text, pt, pos)
            if loc is None:
                spans = []
                break
            spans.append(Span.of(doc.text, *loc))
        if not spans:
            print(f"  (gold quote {n} not found in the article text: {g['text'][:60]!r})", file=sys.stderr)
            quotes.append(None)
            continue
        pos = spans[0].start
        sp = Speaker(name=g["speaker"], type=_speaker_type(g["speaker"]), method=g.get("cue_type") or "name",
                     confidence=1.0)
        quotes.append(Quote(id=f"g{n}", kind=g["kind"], parts=tuple(spans), speaker=sp))
    return quotes


# --------------------------------------------------------------------------- scoring


def _words(s: str) -> set[str]:
    from attribution.match.align import fold

    return set(re.findall(r"\w+", fold(s)))


def pair_detected(gold: list[dict], detected) -> list[Optional[int]]:
    """For each gold quote the index of the detected quote overlapping it most."""
    out = []
    used = set()
    for g in gold:
        gw = _words(g["text"])
        best, best_s = None, 0.0
        for i, q in enumerate(detected):
            if i in used:
                continue
            qw = _words(q.quote.text if hasattr(q, "quote") else q.text)
            if not gw or not qw:
                continue
            inter = len(gw & qw)
            s = inter / len(gw | qw)
            # a detected fragment inside the gold quote, or the other way, also counts
            s = max(s, 0.8 * inter / min(len(gw), len(qw)) if min(len(gw), len(qw)) >= 3 else 0)
            if (g["kind"] == "partial") != (getattr(q, "quote", q).kind == "partial"):
                s *= 0.7
            if s > best_s:
                best, best_s = i, s
        if best is not None and best_s >= 0.5:
            used.add(best)
            out.append(best)
        else:
            out.append(None)
    return out


class Score:
    def __init__(self):
        self.rows: list[tuple[str, str, str]] = []  # (gold, predicted, kind)

    def add(self, gold: str, pred: str, kind: str) -> None:
        self.rows.append((gold, pred, kind))

    def report(self, title: str) -> str:
        n = len(self.rows)
        correct = sum(1 for g, p, _ in self.rows if g == p)
        lines = [f"\n{title}", "=" * len(title),
                 f"accuracy {correct}/{n} = {correct / max(1, n):.3f}"]
        lines.append(f"{'verdict':14} {'P':>6} {'R':>6} {'F1':>6} {'gold':>5} {'pred':>5}")
        rows = self.per_verdict()
        f1s = [F for _, _, _, F, _, _ in rows]
        for v, P, R, F, ng, np_ in rows:
            lines.append(f"{v:14} {P:6.3f} {R:6.3f} {F:6.3f} {ng:5d} {np_:5d}")
        lines.append(f"macro-F1 {sum(f1s) / len(f1s):.3f}   min class F1 {min(f1s):.3f}")
        preds = list(VERDICTS) + sorted({p for _, p, _ in self.rows} - set(VERDICTS))
        lines.append("confusion (rows gold, columns predicted):")
        lines.append(f"{'':14}" + "".join(f"{p[:6]:>8}" for p in preds))
        for v in VERDICTS:
            cnt = Counter(p for g, p, _ in self.rows if g == v)
            lines.append(f"{v:14}" + "".join(f"{cnt.get(p, 0):8d}" for p in preds))
        lines.append("accuracy per kind:")
        by_kind = defaultdict(list)
        for g, p, k in self.rows:
            by_kind[k].append(g == p)
        for k in ("direct", "partial", "split", "multi_paragraph", "indirect"):
            if by_kind.get(k):
                lines.append(f"  {k:16} {sum(by_kind[k])}/{len(by_kind[k])}")
        return "\n".join(lines)

    def per_verdict(self) -> list[tuple[str, float, float, float, int, int]]:
        """(verdict, P, R, F1, gold count, predicted count) for every verdict."""
        out = []
        for v in VERDICTS:
            tp = sum(1 for g, p, _ in self.rows if g == v and p == v)
            ng = sum(1 for g, _, _ in self.rows if g == v)
            np_ = sum(1 for _, p, _ in self.rows if p == v)
            P = tp / np_ if np_ else 0.0
            R = tp / ng if ng else 0.0
            out.append((v, P, R, 2 * P * R / (P + R) if P + R else 0.0, ng, np_))
        return out

    def macro_f1(self) -> float:
        f1s = [F for _, _, _, F, _, _ in self.per_verdict()]
        return sum(f1s) / len(f1s)


# --------------------------------------------------------------------------- main


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=Path, default=DEFAULT_CASES)
    ap.add_argument("--embed", action="store_true", help="MiniLM vectors at ingest and check")
    ap.add_argument("--verbose", "-v", action="store_true", help="print every quote")
    ap.add_argument("--gold-only", action="store_true", help="only the gold-spans variant")
    ap.add_argument("--window", type=int, default=3)
    ap.add_argument("--wire-analyser", choices=("pipeline", "fast"), default="pipeline",
                    help="quote detection for the wires: the spaCy pipeline or the fast regex finder")
    args = ap.parse_args(argv)
    if not args.cases.is_dir():
        print(f"verdicts: no cases at {args.cases} (../shared/data is absent): skipped")
        return 0
    cases = find_cases(args.cases)
    if not cases:
        print(f"verdicts: no cases under {args.cases}: skipped")
        return 0

    from attribution.io.readers import read_documents
    from attribution.match.matcher import Matcher
    from attribution.model import Analysis
    from attribution.pipeline import Pipeline
    from attribution.wires import WireArchive

    t0 = time.perf_counter()
    pipeline = Pipeline()
    gold_score, e2e_score = Score(), Score()
    found = total = 0
    t_check = []
    for case in cases:
        gold = json.loads((case / "gold.json").read_text(encoding="utf-8"))
        doc = read_documents(case / "article.txt")[0]
        wire_pipeline = pipeline
        if args.wire_analyser == "fast":
            from attribution.wires.fastquotes import FastWireAnalyser

            wire_pipeline = FastWireAnalyser()
        with WireArchive.from_folder(case / "wires", pipeline=wire_pipeline, embed=args.embed) as arch:
            matcher = Matcher(arch.store, window_days=args.window, embed=args.embed)
            # gold spans
            gq = gold_quotes(doc, gold)
            analysis = Analysis(document=doc, quotes=tuple(q for q in gq if q is not None))
            t = time.perf_counter()
            checked = matcher.check(analysis)
            t_check.append(time.perf_counter() - t)
            it = iter(checked)
            if args.verbose:
                print(f"\n## {case.name} (gold spans)")
            for g, q in zip(gold["quotes"], gq):
                cq = next(it) if q is not None else None
                pred = cq.verdict if cq else "-"
                gold_score.add(g["verdict"], pred, g["kind"])
                if args.verbose:
                    mark = "  " if pred == g["verdict"] else "XX"
                    ev = cq.evidence[0] if cq and cq.evidence else None
                    evs = f" <- {ev.agency} [{ev.speaker}] {ev.text[:70]!r}" if ev else ""
                    diffs = ", ".join(f"{d.kind}:{d.article!r}/{d.wire!r}" for d in (ev.differences if ev else ())
                                      if d.kind not in ("punctuation",))
                    print(f"{mark} {g['verdict'][:6]:6} -> {pred[:6]:6} {g['kind'][:6]:6} {g['speaker'][:22]:22} "
                          f"{g['text'][:50]!r}{evs} {diffs[:200]}")
            if args.gold_only:
                continue
            # end to end
            ana = pipeline.analyse(doc)
            checked = matcher.check(ana)
            pairs = pair_detected(gold["quotes"], checked)
            if args.verbose:
                print(f"## {case.name} (end to end)")
            for g, idx in zip(gold["quotes"], pairs):
                total += 1
                pred = checked[idx].verdict if idx is not None else "-"
                found += idx is not None
                e2e_score.add(g["verdict"], pred, g["kind"])
                if args.verbose and pred != g["verdict"]:
                    sp = checked[idx].quote.speaker.name if idx is not None else ""
                    print(f"XX {g['verdict'][:6]:6} -> {pred[:6]:6} {g['kind'][:6]:6} gold={g['speaker'][:20]!r} "
                          f"pred={sp[:20]!r} {g['text'][:60]!r}")
    print(gold_score.report(f"Verdicts given gold quote spans and speakers ({len(cases)} cases, "
                            f"{len(gold_score.rows)} quotes{', embeddings' if args.embed else ''}; "
                            f"wire quotes by the {args.wire_analyser} analyser)"))
    if not args.gold_only:
        print(e2e_score.report(f"Verdicts end to end (pipeline quotes; {found}/{total} gold quotes "
                               f"paired with a detected quote; unpaired count as wrong)"))
    t_check.sort()
    print(f"\ncheck time per article (gold spans): median {1000 * t_check[len(t_check) // 2]:.1f} ms; "
          f"total run {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
