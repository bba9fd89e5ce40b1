"""PolNeAR benchmark: quote detection (content, cue) and source spans against PolNeAR.

Usage (from the repository root, in the venv)::

    python benchmarks/polnear.py [--split test|dev|train] [--limit N] [--detector NAME]
                                 [--keep-nested] [--json [FILE]] [--batch-size N]

Reads ``../shared/data/polnear/unified/{split}.jsonl`` (next to the repository); when it is
absent, prints ``skipped: … not found`` and exits 0. ``--json`` alone prints the numbers as
JSON on stdout (tables then go to stderr); ``--json FILE`` writes them to FILE.

What is compared
----------------
Gold: each attribution's ``content``, ``source`` and ``cue`` segment lists. Predictions, per
quote of ``Pipeline.analyse``: content = ``quote.parts``, source = ``quote.speaker.mention``,
cue = ``quote.cue``. Each role of each attribution (or quote) is one *item*; an item with
several segments (split content, a discontinuous cue) is the union of its segments.
Empty roles are not items (a gold attribution without a source has no source item; a
quote without a mention or a cue has none either).

Scores per role (content, source, cue):

* exact P/R/F1 — items match when the offsets they cover are equal after trimming each
  segment of whitespace, quote marks (``" “ ” ‘ ’ « » „ ‹ › '``) and punctuation at both
  ends; one-to-one.
* partial P/R/F1 — greedy one-to-one matching by descending Jaccard over letter offsets
  (offsets of alphanumeric characters); a pair matches at Jaccard >= 0.5.
* content exact, leading "that" ignored — exact content match with a leading
  complementiser "that" dropped on both sides: PolNeAR keeps "that" inside the content
  (about 13% of test contents start with it), this project's cases leave it out.
* joint — a gold attribution is found when its content is partially matched (the
  content matching above) by a quote whose source shares at least one letter offset with
  the gold source. **A gold attribution without a source is found when its content
  matches, whatever the quote's source** (PolNeAR leaves such sources unannotated, e.g.
  in passives and headlines, while a resolver may rightly name someone; the table
  "missing" row reports how often a source was predicted for them). P = found / quotes,
  R = found / attributions. ``joint exact`` is the same with exact content and exact source.

Breakdowns
----------
Content by gold stratum (``content_stratum`` in ``_common``; joined segments):
``direct`` — trimmed of whitespace and non-quote punctuation, it starts and ends with a
double quote mark and no letters lie between a closing mark and the next opening one;
``mixed`` — contains a double quote mark otherwise; ``indirect`` — no double quote mark;
``split`` — more than one content segment (overlaps the other three). Single marks are
ignored (apostrophes). Recall is over gold of that stratum; for precision each
prediction takes the stratum of the gold it matched or, unmatched, its own stratum,
computed on its parts widened over directly adjacent quote marks (predicted parts of a
direct quote usually exclude the marks) — except that a predicted ``partial`` quote counts
as ``mixed`` (a quoted fragment belongs to a partly quoted clause).

Nested fragments: PolNeAR is univocal — a quoted fragment inside reported speech is part of
the one (mixed) content, never an attribution of its own. So partial quotes nested in a
predicted indirect quote (``quote.within`` set, or inside its extent) are left out of the
predictions unless ``--keep-nested``; the count is printed.

Counts on test (2,044): direct 389, mixed 265, indirect 1,390, split 299 (dev: 361 /
263 / 1,569 / 301). The PolNeAR README says 395 / 259 / 1,390 / 299: its "fully quoted"
only asks that the content start and end with a quote mark, so a content such as
``“perhaps” the rules “need another look.”`` (an invented example: the writer's words
between two quoted pieces) count as fully quoted there and as ``mixed`` here. Without the between-marks test
this code gives 396 / 258 (395 / 259 when segments are joined in file order rather than
text order).

Source by gold source type (``source_type`` in ``_common``, spaCy-free): ``pronoun`` (the
whole source is a personal pronoun: he, she, they, it, I, we, you, him, her, them, his, …),
``relative`` (who, which, that, whose, whom), ``named`` (a capitalised word that is not a
function word — the, this, his, Mr. … — and, when sentence-initial, is known as a name:
seen capitalised mid-sentence in the split or never lower-case), ``common`` (other
non-empty: "the campaign", "officials"), ``missing`` (no source). Test: pronoun 332,
relative 58, named 1,182, common 306, missing 166; the README's 330 pronoun sources are
the personal pronouns without "my"/"their" (1 each), its 308 common-noun sources are
within 2 of ours. For ``missing`` the table reports, among gold attributions without a
source whose content a quote matched, how many of those quotes have a mention.

Also: content precision by predicted quote kind, timing (articles/s, model load apart).
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
    PRF,
    PRF_HEADERS,
    Item,
    capitalised_vocab,
    content_stratum,
    expand_to_marks,
    fmt_table,
    letter_offsets,
    match_exact,
    match_partial,
    prf_row,
    shared_data_dir,
    source_type,
    trimmed_offsets,
)

ROLES = ("content", "source", "cue")
STRATA = ("direct", "mixed", "indirect", "split")
SOURCE_TYPES = ("named", "pronoun", "relative", "common", "missing")


@dataclass(frozen=True)
class Attr:
    """One attribution (gold) or quote (prediction) as items per role."""

    content: Item
    source: Item = ()
    cue: Item = ()
    kind: str = ""  # predicted quote kind; "" for gold

    def role(self, r: str) -> Item:
        return getattr(self, r)


def gold_attrs(record: dict) -> list[Attr]:
    def item(segs):
        return tuple(sorted((s["start"], s["end"]) for s in segs))

    return [Attr(item(a["content"]), item(a["source"]), item(a["cue"])) for a in record["attributions"]]


def nested_partials(quotes) -> set[str]:
    """Ids of partial quotes inside a predicted indirect quote (``within`` set, or inside its extent)."""
    ind = [(q.start, q.end) for q in quotes if q.kind == "indirect"]
    out = set()
    for q in quotes:
        if q.kind != "partial":
            continue
        if getattr(q, "within", None) or any(s <= q.start and q.end <= e + 1 for s, e in ind):
            out.add(q.id)
    return out


def pred_attrs(analysis, offset_map=None, keep_nested: bool = False) -> list[Attr]:
    """Items of a ``model.Analysis``: parts, speaker mention, cue.

    Unless ``keep_nested``, partial quotes nested in a predicted indirect quote are left
    out: PolNeAR is univocal (the enclosing clause is the one attribution).
    """
    skip = set() if keep_nested else nested_partials(analysis.quotes)

    def span(sp):
        if sp is None:
            return ()
        s, e = sp.start, sp.end
        if offset_map is not None:
            s, e = offset_map(s), offset_map(e)
        return ((s, e),) if e > s else ()

    out = []
    for q in analysis.quotes:
        if q.id in skip:
            continue
        parts = tuple(x for p in q.parts for x in span(p))
        if not parts:
            continue
        mention = q.speaker.mention if q.speaker is not None else None
        out.append(Attr(parts, span(mention), span(q.cue), q.kind))
    return out


@dataclass
class Scores:
    role_exact: dict = field(default_factory=lambda: {r: PRF() for r in ROLES})
    role_partial: dict = field(default_factory=lambda: {r: PRF() for r in ROLES})
    content_exact_no_that: PRF = field(default_factory=PRF)
    joint: PRF = field(default_factory=PRF)
    joint_exact: PRF = field(default_factory=PRF)
    strata_exact: dict = field(default_factory=lambda: {s: PRF(matched_pred=0) for s in STRATA})
    strata_partial: dict = field(default_factory=lambda: {s: PRF(matched_pred=0) for s in STRATA})
    # source type -> (exact, partial, joint) PRF; joint precision by the type of the matched gold
    src_exact: dict = field(default_factory=lambda: {t: PRF(matched_pred=0) for t in SOURCE_TYPES})
    src_partial: dict = field(default_factory=lambda: {t: PRF(matched_pred=0) for t in SOURCE_TYPES})
    src_joint: dict = field(default_factory=lambda: {t: PRF() for t in SOURCE_TYPES})
    missing_content_matched: int = 0
    missing_with_pred_source: int = 0
    by_kind: dict = field(default_factory=lambda: defaultdict(lambda: PRF(matched_pred=0)))
    gold_strata: Counter = field(default_factory=Counter)
    gold_source_types: Counter = field(default_factory=Counter)
    docs: int = 0

    # ------------------------------------------------------------------ accumulate
    def add(self, text: str, gold: Sequence[Attr], pred: Sequence[Attr], vocab=None) -> None:
        self.docs += 1
        for r in ROLES:
            gi = [i for i, a in enumerate(gold) if a.role(r)]
            pi = [i for i, a in enumerate(pred) if a.role(r)]
            g_items = [gold[i].role(r) for i in gi]
            p_items = [pred[i].role(r) for i in pi]
            for store, fn in ((self.role_exact, match_exact), (self.role_partial, match_partial)):
                m = fn(text, g_items, p_items)
                store[r].add(PRF(len(m), len(g_items), len(p_items)))
                if r == "source":
                    self._add_source_types(text, gold, pred, gi, pi, m,
                                           self.src_exact if fn is match_exact else self.src_partial, vocab)

        g_content = [a.content for a in gold]
        p_content = [a.content for a in pred]
        m_part = match_partial(text, g_content, p_content)
        m_exact = match_exact(text, g_content, p_content)
        m_that = match_exact(text, g_content, p_content, drop_that=True)
        self.content_exact_no_that.add(PRF(len(m_that), len(gold), len(pred)))

        # joint
        found = 0
        found_exact = 0
        gtypes = [source_type(text, a.source, vocab) for a in gold]
        for t in gtypes:
            self.gold_source_types[t] += 1
            self.src_joint[t].n_gold += 1
        for g, p, _ in m_part:
            gs, ps = gold[g].source, pred[p].source
            if gtypes[g] == "missing":
                self.missing_content_matched += 1
                if ps:
                    self.missing_with_pred_source += 1
            ok = not gs or bool(letter_offsets(text, gs) & letter_offsets(text, ps))
            if ok:
                found += 1
                self.src_joint[gtypes[g]].matched += 1
        for g, p, _ in m_exact:
            gs, ps = gold[g].source, pred[p].source
            if not gs or (ps and trimmed_offsets(text, gs) == trimmed_offsets(text, ps)):
                found_exact += 1
        self.joint.add(PRF(found, len(gold), len(pred)))
        self.joint_exact.add(PRF(found_exact, len(gold), len(pred)))

        # strata
        g_str = [content_stratum(text, it) for it in g_content]
        g_split = [len(it) > 1 for it in g_content]
        p_str = [
            "mixed" if a.kind == "partial" else content_stratum(text, expand_to_marks(text, a.content))
            for a in pred
        ]
        p_split = [len(it) > 1 for it in p_content]
        for s in g_str:
            self.gold_strata[s] += 1
        self.gold_strata["split"] += sum(g_split)
        for store, m in ((self.strata_exact, m_exact), (self.strata_partial, m_part)):
            gm = {g: p for g, p, _ in m}
            pm = {p: g for g, p, _ in m}
            for g in range(len(gold)):
                keys = [g_str[g]] + (["split"] if g_split[g] else [])
                for k in keys:
                    store[k].n_gold += 1
                    if g in gm:
                        store[k].matched += 1
            for p in range(len(pred)):
                if p in pm:
                    g = pm[p]
                    keys = [g_str[g]] + (["split"] if g_split[g] else [])
                else:
                    keys = [p_str[p]] + (["split"] if p_split[p] else [])
                for k in keys:
                    store[k].n_pred += 1
                    if p in pm:
                        store[k].matched_pred += 1

        # content precision by predicted kind
        pm = {p for _, p, _ in m_part}
        for p, a in enumerate(pred):
            k = self.by_kind[a.kind or "?"]
            k.n_pred += 1
            if p in pm:
                k.matched_pred += 1
                k.matched += 1

    def _add_source_types(self, text, gold, pred, gi, pi, m, store, vocab) -> None:
        gtypes = {gi[k]: source_type(text, gold[gi[k]].source, vocab) for k in range(len(gi))}
        matched_g = {gi[g] for g, _, _ in m}
        for g, t in gtypes.items():
            store[t].n_gold += 1
            if g in matched_g:
                store[t].matched += 1
        pm = {pi[p]: gi[g] for g, p, _ in m}
        for p in pi:
            if p in pm:
                t = gtypes[pm[p]]
                store[t].matched_pred += 1
            else:
                t = source_type(text, pred[p].source, vocab)
            store[t].n_pred += 1

    # ------------------------------------------------------------------ output
    def to_json(self) -> dict:
        return {
            "docs": self.docs,
            "roles": {
                r: {"exact": self.role_exact[r].to_json(), "partial": self.role_partial[r].to_json()}
                for r in ROLES
            },
            "content_exact_leading_that_ignored": self.content_exact_no_that.to_json(),
            "joint": self.joint.to_json(),
            "joint_exact": self.joint_exact.to_json(),
            "content_by_stratum": {
                s: {"exact": self.strata_exact[s].to_json(), "partial": self.strata_partial[s].to_json()}
                for s in STRATA
            },
            "source_by_type": {
                t: {
                    "exact": self.src_exact[t].to_json(),
                    "partial": self.src_partial[t].to_json(),
                    "joint_recall": round(self.src_joint[t].r, 4),
                    "gold": self.gold_source_types[t],
                }
                for t in SOURCE_TYPES
            },
            "missing_source": {
                "content_matched": self.missing_content_matched,
                "with_predicted_source": self.missing_with_pred_source,
            },
            "content_precision_by_predicted_kind": {
                k: {"pred": v.n_pred, "matched": v.matched_pred, "p": round(v.p, 4)}
                for k, v in sorted(self.by_kind.items())
            },
            "gold_strata": dict(self.gold_strata),
            "gold_source_types": dict(self.gold_source_types),
        }

    def tables(self) -> str:
        out = []
        rows = []
        for r in ROLES:
            rows.append(prf_row(f"{r} exact", self.role_exact[r]))
            rows.append(prf_row(f"{r} partial", self.role_partial[r]))
            if r == "content":
                rows.append(prf_row("content exact, leading 'that' ignored", self.content_exact_no_that))
        rows.append(prf_row("joint (content~ + source overlap)", self.joint))
        rows.append(prf_row("joint exact (content = + source =)", self.joint_exact))
        out.append(fmt_table(PRF_HEADERS, rows, "Roles (P/R/F1 in %)"))

        rows = []
        for s in STRATA:
            e, p = self.strata_exact[s], self.strata_partial[s]
            rows.append([s, self.gold_strata[s], e.p, e.r, e.f1, p.p, p.r, p.f1, p.n_pred])
        out.append(fmt_table(
            ["content stratum", "gold", "exP", "exR", "exF1", "pP", "pR", "pF1", "pred"], rows,
            "Content by gold stratum (ex = exact, p = partial; precision: stratum of matched gold, else own)",
        ))

        rows = []
        for t in SOURCE_TYPES:
            e, p, j = self.src_exact[t], self.src_partial[t], self.src_joint[t]
            if t == "missing":
                rows.append([t, self.gold_source_types[t], "-", "-", "-", "-", j.r,
                             f"{self.missing_with_pred_source}/{self.missing_content_matched} have a source"])
            else:
                rows.append([t, self.gold_source_types[t], e.p, e.r, p.p, p.r, j.r, ""])
        out.append(fmt_table(
            ["source type", "gold", "exP", "exR", "pP", "pR", "jointR", "note"], rows,
            "Source by gold source type (jointR: attribution found with overlapping source)",
        ))

        rows = [[k, v.n_pred, v.matched_pred, v.p] for k, v in sorted(self.by_kind.items())]
        out.append(fmt_table(["predicted kind", "pred", "content~ match", "P"], rows,
                             "Content precision (partial) by predicted quote kind"))
        return "\n\n".join(out)


# ---------------------------------------------------------------------- running


def offset_mapper(src: str, dst: str):
    """Map offsets in ``dst`` (the text the pipeline saw) back to ``src`` (the gold text)."""
    if src == dst:
        return None
    import difflib

    sm = difflib.SequenceMatcher(None, src, dst, autojunk=False)
    table = [0] * (len(dst) + 1)
    last = 0
    blocks = sm.get_matching_blocks()
    j_prev = 0
    i_prev = 0
    for i, j, n in blocks:
        for k in range(j_prev, j):
            table[k] = min(i_prev + (k - j_prev), i) if i >= i_prev else i
        for k in range(n):
            table[j + k] = i + k
        j_prev, i_prev = j + n, i + n
        last = i + n
    table[len(dst)] = len(src) if last <= len(src) else last
    return lambda off: table[max(0, min(off, len(dst)))]


def load_split(path: Path, limit: Optional[int]) -> list[dict]:
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                out.append(json.loads(line))
                if limit and len(out) >= limit:
                    break
    return out


def make_pipeline(detector: Optional[str]):
    from attribution.pipeline import Pipeline

    if detector is None:
        return Pipeline()
    try:
        return Pipeline(detector=detector)
    except TypeError as e:
        raise SystemExit(f"error: Pipeline does not take a detector option ({e})")


def run(records: Sequence[dict], pipeline, batch_size: int = 16, keep_nested: bool = False) -> tuple[Scores, dict]:
    from attribution.io.readers import document_from_text

    vocab = capitalised_vocab(r["text"] for r in records)
    scores = Scores()
    docs = [document_from_text(r["text"]) for r in records]
    remapped = 0
    nested = 0
    t0 = time.perf_counter()
    analyses = list(_analyse_many(pipeline, docs, batch_size))
    elapsed = time.perf_counter() - t0
    for rec, an in zip(records, analyses):
        omap = offset_mapper(rec["text"], an.document.text)
        remapped += omap is not None
        nested += len(nested_partials(an.quotes))
        scores.add(rec["text"], gold_attrs(rec), pred_attrs(an, omap, keep_nested), vocab)
    timing = {
        "seconds": round(elapsed, 3),
        "articles": len(records),
        "articles_per_s": round(len(records) / elapsed, 3) if elapsed else None,
        "words_per_s": round(sum(len(r["text"].split()) for r in records) / elapsed, 1) if elapsed else None,
        "docs_with_changed_text": remapped,
        "nested_partials": nested,
        "nested_partials_scored": keep_nested,
    }
    return scores, timing


def _analyse_many(pipeline, docs, batch_size):
    import inspect

    if "batch_size" in inspect.signature(pipeline.analyse_many).parameters:
        return pipeline.analyse_many(docs, batch_size=batch_size)
    return pipeline.analyse_many(docs)


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=("test", "dev", "train"), default="test")
    ap.add_argument("--limit", type=int, default=None, help="first N articles only")
    ap.add_argument("--detector", default=None, help="detector name passed to Pipeline(detector=…)")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--keep-nested", action="store_true",
                    help="also score partial quotes nested in a predicted indirect quote (left out by default)")
    ap.add_argument("--json", nargs="?", const="-", default=None, metavar="FILE",
                    help="dump the numbers as JSON (to stdout when no FILE; tables go to stderr)")
    ap.add_argument("--data", type=Path, default=None, help="PolNeAR unified folder (default: ../shared/data/polnear/unified)")
    args = ap.parse_args(argv)

    data_dir = args.data or shared_data_dir() / "polnear" / "unified"
    path = data_dir / f"{args.split}.jsonl"
    if not path.exists():
        print(f"skipped: {path} not found", file=sys.stderr)
        return 0
    records = load_split(path, args.limit)

    out = sys.stderr if args.json == "-" else sys.stdout
    t0 = time.perf_counter()
    pipeline = make_pipeline(args.detector)
    load_s = time.perf_counter() - t0
    scores, timing = run(records, pipeline, args.batch_size, args.keep_nested)
    timing["model_load_s"] = round(load_s, 3)

    print(f"PolNeAR {args.split}: {scores.docs} articles, {sum(scores.gold_strata[s] for s in STRATA[:3])} attributions"
          + (f", detector={args.detector}" if args.detector else ""), file=out)
    print(scores.tables(), file=out)
    print(f"\nTime: {timing['seconds']:.1f} s for {timing['articles']} articles "
          f"({timing['articles_per_s']} articles/s, {timing['words_per_s']} words/s); "
          f"model load {load_s:.1f} s", file=out)
    print(f"Nested partial quotes (inside a predicted indirect quote): {timing['nested_partials']}, "
          + ("scored" if args.keep_nested else "left out (--keep-nested to score them)"), file=out)
    if timing["docs_with_changed_text"]:
        print(f"note: {timing['docs_with_changed_text']} documents had their text changed by the reader; "
              "offsets were mapped back with difflib", file=out)

    if args.json is not None:
        write_json({"split": args.split, "detector": args.detector, **scores.to_json(), "timing": timing},
                   args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
