"""Cases benchmark: quotes, kinds and speakers on the hand-made cases.

Usage (from the repository root, in the venv)::

    python benchmarks/cases.py [--cases DIR] [--verbose] [--json [FILE]]

Reads every ``DIR/*/`` holding ``article.txt`` and ``gold.json`` (default
``../shared/data/cases`` next to the repository; when absent, prints ``skipped: … not
found`` and exits 0). The article is read with ``attribution.io.readers.read_documents``
(the same cleaning as the CLI; falls back to ``document_from_text``) and analysed with
``Pipeline.analyse``. ``--json`` alone prints the numbers as JSON on stdout (tables then
go to stderr); ``--json FILE`` writes them to FILE.

Matching
--------
Texts are compared as folded word sequences (NFKD, combining marks dropped, casefold;
quote marks, punctuation and spacing ignored; split/multi-paragraph texts as their parts
joined). A gold quote and a predicted quote *match* when the word sequences are equal
(score 1), when the Jaccard of their word sets is >= 0.5 (score = Jaccard), or when one
word sequence contains the other (score 0.5 + Jaccard/2). Greedy one-to-one, best score
first. The kind is not used for matching: it is scored separately (a gold ``partial``
fragment matched only by a predicted ``indirect`` clause that contains it counts as
found, with a kind error).

Scores
------
* recall per gold kind and overall; kind accuracy among found (and a confusion table);
* precision of quoted predictions: of predicted ``direct``/``partial``/``split``/
  ``multi_paragraph`` quotes, the fraction matched to a gold quote;
* precision of indirect predictions: of predicted ``indirect`` quotes, the fraction
  matched — an unmatched indirect quote whose words contain a gold ``partial`` fragment is
  left out (cases 01–07 list only the fragment, not the clause around it; case 00 lists
  both and both count for recall);
* scare quotes reported: predicted quotes whose text equals a ``not_quotes`` entry (must
  be 0);
* speaker accuracy on found quotes, overall and per gold ``cue_type``: predicted
  ``speaker.name`` equals gold ``speaker`` after folding diacritics and case and
  collapsing whitespace; ``method`` = predicted ``speaker.method`` equals gold
  ``cue_type``; ``mention`` = predicted mention text equals gold ``speaker_mention``
  (folded; both empty for carry-overs).

``--verbose`` lists per case the gold quotes not found, wrong speakers (gold vs
predicted), wrong mentions (when the speaker is right), kind errors, unmatched
predictions and scare quotes.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import (  # noqa: E402
    write_json,
    fmt_table,
    fold,
    greedy_match,
    norm_text,
    norm_words,
    text_match_score,
)

KINDS = ("direct", "partial", "split", "multi_paragraph", "indirect")
CUE_TYPES = ("name", "pronoun", "role", "metonym", "according_to", "carryover")
QUOTED = frozenset(KINDS[:4])


@dataclass(frozen=True)
class PredQuote:
    """What the scorer needs of a ``model.Quote`` (also built by hand in tests)."""

    text: str
    kind: str
    speaker: str = ""
    method: str = ""
    mention: Optional[str] = None

    @classmethod
    def of(cls, q) -> "PredQuote":
        sp = q.speaker
        return cls(
            text=" ".join(p.text for p in q.parts),
            kind=q.kind,
            speaker=(sp.name or "") if sp is not None else "",
            method=(sp.method or "") if sp is not None else "",
            mention=sp.mention.text if sp is not None and sp.mention is not None else None,
        )


def gold_text(g: dict) -> str:
    parts = g.get("parts")
    return " ".join(parts) if parts else g["text"]


def contains_words(outer: str, inner: str) -> bool:
    o, i = norm_words(outer), norm_words(inner)
    return bool(i) and (" " + " ".join(i) + " ") in (" " + " ".join(o) + " ")


def same_name(a: Optional[str], b: Optional[str]) -> bool:
    return fold(a or "") == fold(b or "")


@dataclass
class CaseResult:
    name: str
    gold: list
    preds: list
    matches: list  # (g, p, score)
    not_quotes: list

    @property
    def g2p(self) -> dict:
        return {g: p for g, p, _ in self.matches}

    @property
    def p2g(self) -> dict:
        return {p: g for g, p, _ in self.matches}

    def scare_quotes(self) -> list[str]:
        nq = {norm_text(t) for t in self.not_quotes}
        return [p.text for p in self.preds if norm_text(p.text) in nq]

    def ignored_indirect(self) -> list[int]:
        """Unmatched predicted indirect quotes that enclose a gold partial fragment."""
        partials = [gold_text(g) for g in self.gold if g["kind"] == "partial"]
        p2g = self.p2g
        return [
            i for i, p in enumerate(self.preds)
            if p.kind == "indirect" and i not in p2g and any(contains_words(p.text, f) for f in partials)
        ]


def score_case(name: str, gold: dict, preds: Sequence[PredQuote]) -> CaseResult:
    gq = gold["quotes"]
    gt = [gold_text(g) for g in gq]
    m = greedy_match(len(gq), len(preds), lambda g, p: text_match_score(gt[g], preds[p].text), 0.5)
    return CaseResult(name, gq, list(preds), m, list(gold.get("not_quotes", [])))


@dataclass
class Totals:
    recall: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))  # kind -> [found, gold]
    kind_ok: int = 0
    found: int = 0
    confusion: Counter = field(default_factory=Counter)
    quoted_pred: int = 0
    quoted_matched: int = 0
    indirect_pred: int = 0
    indirect_matched: int = 0
    indirect_ignored: int = 0
    scare: int = 0
    speaker: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0]))  # cue -> [name ok, method ok, mention ok, n]
    cases: int = 0

    def add(self, r: CaseResult) -> None:
        self.cases += 1
        g2p = r.g2p
        for gi, g in enumerate(r.gold):
            k = g["kind"]
            self.recall[k][1] += 1
            if gi not in g2p:
                self.confusion[(k, "(missed)")] += 1
                continue
            p = r.preds[g2p[gi]]
            self.recall[k][0] += 1
            self.found += 1
            self.kind_ok += p.kind == k
            self.confusion[(k, p.kind)] += 1
            s = self.speaker[g.get("cue_type") or "?"]
            s[0] += same_name(p.speaker, g.get("speaker"))
            s[1] += p.method == g.get("cue_type")
            s[2] += same_name(p.mention, g.get("speaker_mention"))
            s[3] += 1
        p2g = r.p2g
        ignored = set(r.ignored_indirect())
        for pi, p in enumerate(r.preds):
            if p.kind == "indirect":
                if pi in ignored:
                    self.indirect_ignored += 1
                    continue
                self.indirect_pred += 1
                self.indirect_matched += pi in p2g
            else:
                self.quoted_pred += 1
                self.quoted_matched += pi in p2g
        self.scare += len(r.scare_quotes())

    def to_json(self) -> dict:
        def ratio(a, b):
            return round(a / b, 4) if b else None

        n_gold = sum(v[1] for v in self.recall.values())
        sp_all = [sum(v[i] for v in self.speaker.values()) for i in range(4)]
        return {
            "cases": self.cases,
            "gold_quotes": n_gold,
            "recall": {
                **{k: {"found": self.recall[k][0], "gold": self.recall[k][1],
                       "r": ratio(*self.recall[k])} for k in KINDS if k in self.recall},
                "all": {"found": self.found, "gold": n_gold, "r": ratio(self.found, n_gold)},
            },
            "kind_accuracy": ratio(self.kind_ok, self.found),
            "kind_confusion": {f"{g}->{p}": n for (g, p), n in sorted(self.confusion.items())},
            "precision_quoted": {"pred": self.quoted_pred, "matched": self.quoted_matched,
                                 "p": ratio(self.quoted_matched, self.quoted_pred)},
            "precision_indirect": {"pred": self.indirect_pred, "matched": self.indirect_matched,
                                   "ignored_enclosing_partial": self.indirect_ignored,
                                   "p": ratio(self.indirect_matched, self.indirect_pred)},
            "scare_quotes_reported": self.scare,
            "speaker": {
                **{c: {"n": v[3], "name": ratio(v[0], v[3]), "method": ratio(v[1], v[3]),
                       "mention": ratio(v[2], v[3])} for c, v in self.speaker.items()},
                "all": {"n": sp_all[3], "name": ratio(sp_all[0], sp_all[3]),
                        "method": ratio(sp_all[1], sp_all[3]), "mention": ratio(sp_all[2], sp_all[3])},
            },
        }

    def tables(self) -> str:
        out = []
        rows = [[k, self.recall[k][0], self.recall[k][1], _r(*self.recall[k])] for k in KINDS if k in self.recall]
        n_gold = sum(v[1] for v in self.recall.values())
        rows.append(["all", self.found, n_gold, _r(self.found, n_gold)])
        out.append(fmt_table(["gold kind", "found", "gold", "recall"], rows, "Quote recall"))

        pred_kinds = sorted({p for (_, p) in self.confusion if p != "(missed)"}, key=lambda k: (k not in KINDS, KINDS.index(k) if k in KINDS else 0, k))
        rows = [[g] + [self.confusion.get((g, p), 0) for p in pred_kinds] + [self.confusion.get((g, "(missed)"), 0)]
                for g in KINDS if g in self.recall]
        out.append(fmt_table(["gold \\ pred"] + pred_kinds + ["missed"], rows,
                             f"Kinds among found: accuracy {_r(self.kind_ok, self.found)}"))

        rows = [
            ["quoted (direct/partial/split/multi_paragraph)", self.quoted_matched, self.quoted_pred,
             _r(self.quoted_matched, self.quoted_pred)],
            [f"indirect (ignored: {self.indirect_ignored} enclosing a gold partial)", self.indirect_matched,
             self.indirect_pred, _r(self.indirect_matched, self.indirect_pred)],
        ]
        out.append(fmt_table(["predicted", "matched", "pred", "precision"], rows, "Precision"))
        out.append(f"Scare quotes reported (not_quotes predicted as quotes): {self.scare}")

        rows = []
        allv = [0, 0, 0, 0]
        for c in list(CUE_TYPES) + sorted(set(self.speaker) - set(CUE_TYPES)):
            if c not in self.speaker:
                continue
            v = self.speaker[c]
            allv = [a + b for a, b in zip(allv, v)]
            rows.append([c, v[3], _r(v[0], v[3]), _r(v[1], v[3]), _r(v[2], v[3])])
        rows.append(["all", allv[3], _r(allv[0], allv[3]), _r(allv[1], allv[3]), _r(allv[2], allv[3])])
        out.append(fmt_table(["gold cue_type", "found", "speaker", "method", "mention"], rows,
                             "Speakers on found quotes (% correct)"))
        return "\n\n".join(out)


def _r(a: int, b: int) -> str:
    return f"{100 * a / b:.1f}" if b else "-"


def verbose_report(r: CaseResult) -> str:
    lines = [f"== {r.name}: {len(r.matches)}/{len(r.gold)} found, {len(r.preds)} predicted"]
    g2p = r.g2p
    for gi, g in enumerate(r.gold):
        tag = f"  q{gi + 1} [{g['kind']}/{g.get('cue_type')}]"
        if gi not in g2p:
            lines.append(f"{tag} MISSED: {_short(gold_text(g))}")
            continue
        p = r.preds[g2p[gi]]
        if p.kind != g["kind"]:
            lines.append(f"{tag} KIND: predicted {p.kind}: {_short(gold_text(g))}")
        if not same_name(p.speaker, g.get("speaker")):
            lines.append(f"{tag} SPEAKER: gold {g.get('speaker')!r} ({g.get('speaker_mention')!r}) "
                         f"vs predicted {p.speaker!r} ({p.mention!r}, {p.method}): {_short(gold_text(g), 50)}")
        elif not same_name(p.mention, g.get("speaker_mention")):
            lines.append(f"{tag} MENTION: gold {g.get('speaker_mention')!r} vs predicted {p.mention!r}")
    p2g = r.p2g
    ignored = set(r.ignored_indirect())
    for pi, p in enumerate(r.preds):
        if pi not in p2g:
            note = " (ignored: encloses a gold partial)" if pi in ignored else ""
            lines.append(f"  EXTRA [{p.kind}]{note}: {_short(p.text)}")
    for t in r.scare_quotes():
        lines.append(f"  SCARE QUOTE reported: {t!r}")
    return "\n".join(lines)


def _short(t: str, n: int = 90) -> str:
    t = " ".join(t.split())
    return repr(t if len(t) <= n else t[: n - 1] + "…")


def read_article(path: Path):
    try:
        from attribution.io.readers import read_documents
    except ImportError:
        read_documents = None
    if read_documents is not None:
        docs = read_documents(path)
        docs = list(docs) if not hasattr(docs, "text") else [docs]
        if docs:
            return docs[0]
    from attribution.io.readers import document_from_text

    return document_from_text(path.read_text(encoding="utf-8"))


def find_cases(root: Path) -> list[Path]:
    return sorted(d for d in root.iterdir() if d.is_dir() and (d / "gold.json").exists() and (d / "article.txt").exists())


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=Path, default=None, help="folder of case folders (default ../shared/data/cases)")
    ap.add_argument("--verbose", "-v", action="store_true", help="per-case misses and errors")
    ap.add_argument("--detector", default="rules", help="rules, rules-broad, tagger or hybrid")
    ap.add_argument("--json", nargs="?", const="-", default=None, metavar="FILE",
                    help="dump the numbers as JSON (to stdout when no FILE; tables go to stderr)")
    args = ap.parse_args(argv)

    from benchmarks._common import shared_data_dir

    root = args.cases or shared_data_dir() / "cases"
    if not root.is_dir() or not find_cases(root):
        print(f"skipped: {root} not found (no */gold.json + article.txt)", file=sys.stderr)
        return 0
    out = sys.stderr if args.json == "-" else sys.stdout

    from attribution.pipeline import Pipeline

    t0 = time.perf_counter()
    pipeline = Pipeline(args.detector)
    load_s = time.perf_counter() - t0
    totals = Totals()
    per_case = {}
    t1 = time.perf_counter()
    for d in find_cases(root):
        gold = json.loads((d / "gold.json").read_text(encoding="utf-8"))
        an = pipeline.analyse(read_article(d / "article.txt"))
        r = score_case(d.name, gold, [PredQuote.of(q) for q in an.quotes])
        totals.add(r)
        one = Totals()
        one.add(r)
        per_case[d.name] = {"found": one.found, "gold": len(r.gold), "pred": len(r.preds),
                            "speaker_ok": sum(v[0] for v in one.speaker.values()), "scare": one.scare}
        if args.verbose:
            print(verbose_report(r), file=out)
    elapsed = time.perf_counter() - t1

    if args.verbose:
        print(file=out)
    rows = [[k, v["gold"], v["found"], v["pred"], v["speaker_ok"], v["scare"]] for k, v in per_case.items()]
    print(fmt_table(["case", "gold", "found", "pred", "speaker ok", "scare"], rows, "Per case"), file=out)
    print(file=out)
    print(totals.tables(), file=out)
    print(f"\nTime: {elapsed:.2f} s for {totals.cases} cases; model load {load_s:.1f} s", file=out)
    if args.json is not None:
        write_json({**totals.to_json(), "per_case": per_case,
                    "timing": {"seconds": round(elapsed, 3), "model_load_s": round(load_s, 3)}}, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
