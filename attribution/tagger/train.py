"""Train the tagger on PolNeAR: `python -m attribution.tagger.train [--epochs N] …`.

Reads ../shared/data/polnear/unified/{train,dev}.jsonl, picks the epoch with the best
dev score (mean of content and source exact span F1 over words), and writes the
trained weights (top encoder layers + head, fp16 safetensors), config and a card with
data, settings, seed, dev figures and time taken into attribution/tagger/weights/
(or --out). Runs on the CPU; a GPU is used when present.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

from attribution.tagger import ROLES, TAGS
from attribution.tagger.features import FEATURES, Words, windows, words_of

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "polnear" / "unified"
TAG_ID = {t: i for i, t in enumerate(TAGS)}


def parsed_words(text: str, nlp=None) -> list:
    """[(unit, Words with features)] for each unit (paragraph) of `text`, as the tagger
    detector computes them at run time."""
    from attribution.detect.rules import RuleDetector
    from attribution.nlp import load_spacy, parse_units, split_units
    from attribution.pipeline import paragraph_spans
    from attribution.tagger.features import unit_words

    units = parse_units(nlp or load_spacy(), text, split_units(text, paragraph_spans(text)))
    return unit_words(text, units, RuleDetector(broad=True).detect(text, units))


def labelled(record: dict, nlp=None) -> list[tuple[Words, list[int]]]:
    """The paragraphs of one PolNeAR article as words (with features) and BIO tags."""
    text = record["text"]
    segs = []  # (start, end, role)
    for a in record["attributions"]:
        for role, key in (("SRC", "source"), ("CUE", "cue"), ("CON", "content")):
            for s in a[key]:
                segs.append((s["start"], s["end"], role))
    out = []
    for u, w in parsed_words(text, nlp):
        lo, hi = u.start, u.end
        tags = [TAG_ID["O"]] * len(w)
        for s, e, role in segs:
            if e <= lo or s >= hi:
                continue
            first = True
            for k in range(len(w)):
                if w.starts[k] >= s and w.ends[k] <= e + 1 and w.starts[k] < e:
                    tags[k] = TAG_ID[("B-" if first else "I-") + role]
                    first = False
        out.append((w, tags))
    return out


def prepare(src: Path, cache: Path, limit: int = 0) -> list[tuple[Words, list[int]]]:
    """Labelled paragraphs of a PolNeAR split, parsed once and cached (gzip JSON lines)."""
    import gzip
    from dataclasses import asdict

    if cache.is_file():
        out = []
        with gzip.open(cache, "rt", encoding="utf-8") as fh:
            for line in fh:
                d = json.loads(line)
                y = d.pop("y")
                out.append((Words(**{k: tuple(v) for k, v in d.items()}), y))
        return out
    from attribution.nlp import load_spacy

    nlp = load_spacy()
    recs = [json.loads(line) for line in src.open(encoding="utf-8")]
    if limit:
        recs = recs[:limit]
    out = [x for r in recs for x in labelled(r, nlp)]
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8") as fh:
        for w, y in out:
            fh.write(json.dumps({**asdict(w), "y": y}) + "\n")
    tmp.replace(cache)
    return out


def span_set(tags, role: str) -> set:
    from attribution.tagger.decode import spans

    return {(a, b) for r, a, b in spans(tags) if r == role}


def evaluate(tok, model, data, batch_size: int = 32) -> dict:
    from attribution.tagger.model import tag_words

    model.eval()
    pred = tag_words(tok, model, [w for w, _ in data], batch_size=batch_size)
    res = {}
    for role in ROLES:
        tp = fp = fn = 0
        for (w, gold), p in zip(data, pred):
            g, q = span_set(gold, role), span_set(p, role)
            tp += len(g & q)
            fp += len(q - g)
            fn += len(g - q)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        res[role] = round(2 * prec * rec / (prec + rec) if prec + rec else 0.0, 4)
    res["score"] = round((res["CON"] + res["SRC"] + res["CUE"]) / 3, 4)
    return res


def make_windows(tok, data, limit: int):
    from attribution.tagger.model import piece_counts

    items = []
    for w, tags in data:
        if not len(w):
            continue
        for a, b in windows(piece_counts(tok, w), limit, 0):
            items.append(((w, a, b), tags[a:b]))
    return items


def _rel(path: Path) -> str:
    """A path as the card records it: relative to the repository, never this machine's."""
    import os

    return os.path.relpath(path, Path(__file__).resolve().parents[2])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--head-lr", type=float, default=1e-3)
    ap.add_argument("--frozen-layers", type=int, default=2)
    ap.add_argument("--features", default=",".join(FEATURES),
                    help=f"word features next to the encoder, comma-separated from {','.join(FEATURES)} "
                         "(empty: none)")
    ap.add_argument("--crf", action=argparse.BooleanOptionalAction, default=True, help="CRF over the tags")
    ap.add_argument("--cache", type=Path, default=Path(__file__).resolve().parents[2] / "out" / "tagger-cache",
                    help="folder for the parsed splits (made on first use)")
    ap.add_argument("--test", action="store_true", help="also score the chosen checkpoint on test")
    ap.add_argument("--limit", type=int, default=0, help="articles of train/dev to use (0: all)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--bf16", action="store_true", help="bf16 autocast (CPU)")
    ap.add_argument("--tiny", action="store_true", help="a tiny random encoder (smoke test)")
    ap.add_argument("--time-budget", type=float, default=0, help="stop after this many minutes")
    args = ap.parse_args(argv)

    train_p, dev_p, test_p = (args.data / f"{n}.jsonl" for n in ("train", "dev", "test"))

    def cached(p):
        return args.cache / f"{p.stem}{'-' + str(args.limit) if args.limit else ''}.jsonl.gz"

    if not train_p.is_file() and not cached(train_p).is_file():
        print(f"skipped: {train_p} not found", file=sys.stderr)
        return 0

    import torch

    from attribution.tagger.model import Tagger, TaggerConfig, load_encoder, save, encode, WEIGHTS_DIR

    random.seed(args.seed)
    torch.manual_seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    t_start = time.time()

    def load(p):
        return prepare(p, cached(p), args.limit)

    train, dev = load(train_p), load(dev_p)
    print(f"parsed in {(time.time() - t_start) / 60:.1f} min", file=sys.stderr, flush=True)
    tok, enc = load_encoder(tiny=args.tiny)
    feats = tuple(f for f in args.features.split(",") if f)
    cfg = TaggerConfig(features=feats, crf=args.crf, frozen_layers=args.frozen_layers)
    model = Tagger(enc, cfg)
    model.freeze()
    model.to(device)
    items = make_windows(tok, train, cfg.max_pieces)
    print(f"train: {len(train)} paragraphs, {len(items)} windows; dev: {len(dev)} paragraphs", file=sys.stderr)

    enc_params = [p for n, p in model.named_parameters() if p.requires_grad and n.startswith("encoder.")]
    head_params = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("encoder.")]
    opt = torch.optim.AdamW([{"params": enc_params, "lr": args.lr}, {"params": head_params, "lr": args.head_lr}],
                            weight_decay=0.01)
    steps = args.epochs * ((len(items) + args.batch_size - 1) // args.batch_size)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 100) * max(0.0, 1 - s / max(1, steps)))

    history, best = [], None
    out = args.out or WEIGHTS_DIR
    step = 0
    stop = False
    for epoch in range(1, args.epochs + 1):
        model.train()
        # batches of similar length, in random order
        order = sorted(range(len(items)), key=lambda i: (items[i][0][2] - items[i][0][1]) + random.random() * 8)
        batches = [order[k : k + args.batch_size] for k in range(0, len(order), args.batch_size)]
        random.shuffle(batches)
        t0, total = time.time(), 0.0
        for n, b in enumerate(batches, 1):
            batch = encode(tok, [items[i][0] for i in b], [items[i][1] for i in b])
            ids, mask, widx, fts, y = (t.to(device) for t in batch)
            with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=args.bf16):
                scores = model(ids, mask, widx, fts)
            loss = model.loss(scores, y)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            total += loss.item()
            if n % 50 == 0:
                print(f"epoch {epoch} batch {n}/{len(batches)} loss {total / n:.4f} "
                      f"{(time.time() - t0) / n:.2f} s/batch", file=sys.stderr, flush=True)
            if args.time_budget and time.time() - t_start > args.time_budget * 60:
                stop = True
                break
        dev_res = evaluate(tok, model, dev)
        dev_res.update(epoch=epoch, train_loss=round(total / max(1, n), 4), minutes=round((time.time() - t_start) / 60, 1))
        history.append(dev_res)
        print(f"dev after epoch {epoch}: {dev_res}", file=sys.stderr, flush=True)
        if best is None or dev_res["score"] > best["score"]:
            best = dev_res
            best_state = {k: v.detach().to("cpu", copy=True) for k, v in model.trained_state().items()}
            card = {
                "model": "attribution tagger: all-MiniLM-L6-v2 encoder (lowest "
                         f"{cfg.frozen_layers} layers frozen) + word feature embeddings ({', '.join(feats) or 'none'}) "
                         f"+ linear head, {'CRF' if cfg.crf else 'softmax'} over BIO tags, constrained Viterbi decoding",
                "data": "PolNeAR (Newell, Margolin & Ruths, LREC 2018) unified train split; checkpoint chosen on dev",
                "settings": {k: (_rel(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
                "seed": args.seed, "device": device, "dev": dev_res, "history": history,
                "minutes": round((time.time() - t_start) / 60, 1),
            }
            save(model.to("cpu"), out, card)
            model.to(device)
        if stop:
            break
    if args.test and (test_p.is_file() or cached(test_p).is_file()):
        model.load_state_dict(best_state, strict=False)
        model.to(device)
        card["test"] = evaluate(tok, model, load(test_p))
        card["minutes"] = round((time.time() - t_start) / 60, 1)
        (out / "card.json").write_text(json.dumps(card, indent=2) + "\n")
        print(f"test (word spans, chosen checkpoint): {card['test']}", file=sys.stderr, flush=True)
    print(json.dumps({"best": best, "test": card.get("test"), "out": str(out)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
