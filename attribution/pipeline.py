"""The pipeline: read document → parse → detect quotes → resolve speakers.

`Pipeline` loads spaCy once; `analyse_many` batches the parse across documents. With a
torch detector (`tagger`, `hybrid`) and many documents, whole analyses run on a pool of
worker processes instead (one torch thread each), since torch rules out forking later.
"""

from __future__ import annotations

import itertools
from typing import Iterable, Iterator, Optional

from attribution.model import Analysis, Document, Quote, Span

DETECTORS = ("rules", "rules-broad", "tagger", "hybrid")
TORCH_DETECTORS = ("tagger", "hybrid")
# with a torch detector, this many documents or more go to a pool of worker processes
POOL_MIN_DOCS = 24
POOL_CHUNK = 4


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph: blank-line separated, else one per line."""
    from attribution.io.readers import split_paragraphs

    return [(p.start, p.end) for p in split_paragraphs(text)]


class Pipeline:
    def __init__(self, detector: str = "rules", nlp=None, n_process: Optional[int] = None):
        """`n_process`: processes that parse a group of documents; None picks the
        machine's cores (at most 4) for groups of 8 or more documents (or 400 or more
        paragraphs: one long article) in the main process, and 1 otherwise (workers of a
        pool never fork again, nor does a process that has loaded torch)."""
        if detector not in DETECTORS:
            raise ValueError(f"unknown detector {detector!r}; choose from {', '.join(DETECTORS)}")
        from attribution.detect.rules import RuleDetector
        self._nlp = nlp
        self.n_process = n_process
        self.detector_name = detector
        if detector in TORCH_DETECTORS:
            from attribution.tagger.detector import HybridDetector, TaggerDetector

            self.detector = TaggerDetector() if detector == "tagger" else HybridDetector()
        else:
            self.detector = RuleDetector(broad=detector == "rules-broad")
        self._named_detector = self.detector

    @property
    def nlp(self):
        """spaCy, loaded on first use (a process that hands all its work to a pool never needs it)."""
        if self._nlp is None:
            from attribution.nlp import load_spacy

            self._nlp = load_spacy()
        return self._nlp

    def analyse(self, doc: Document) -> Analysis:
        return next(self.analyse_many([doc]))

    def _processes(self, n_docs: int, n_units: int = 0) -> int:
        if self.detector_name in TORCH_DETECTORS:
            return 1  # spaCy forks its parse workers, and a fork once torch runs can hang
        if self.n_process is not None:
            return max(1, self.n_process)
        import os

        if (n_docs < 8 and n_units < 400) or not _main_process():
            return 1
        from attribution.nlp import torch_started

        if torch_started():
            return 1  # a fork once torch's thread pools run can hang the children
        return max(1, min(4, os.cpu_count() or 1))

    def _pool_size(self, n_docs: int) -> int:
        """Worker processes for a torch detector's analyses (1: none, work in this process)."""
        if self.detector_name not in TORCH_DETECTORS or self.detector is not self._named_detector:
            return 1  # a detector set by hand (tests) cannot be rebuilt in a worker
        if self.n_process is not None:
            return max(1, self.n_process)
        if n_docs < POOL_MIN_DOCS:
            return 1
        if not _main_process():
            return 1
        from attribution.batch import default_workers

        return max(1, min(4, default_workers()))

    def analyse_many(self, docs: Iterable[Document], group: int = 48) -> Iterator[Analysis]:
        """Analyses in input order; paragraphs of `group` documents are parsed together
        (over `n_process` processes when more than one was asked for). With a torch
        detector and POOL_MIN_DOCS documents or more, analyses run on worker processes,
        fresh interpreters that import the main module again: a script that calls this
        must do so under `if __name__ == "__main__":` (or pass `n_process=1`)."""
        if self.detector_name in TORCH_DETECTORS:
            it = iter(docs)
            head = list(itertools.islice(it, POOL_MIN_DOCS))
            docs = itertools.chain(head, it)
            workers = self._pool_size(len(head))
            if workers > 1:
                yield from _pooled(self.detector_name, docs, workers)
                return
        yield from self._analyse_here(docs, group)

    def _analyse_here(self, docs: Iterable[Document], group: int) -> Iterator[Analysis]:
        from attribution.nlp import Unit, split_units

        pending: list[tuple[Document, list[tuple[int, int]]]] = []

        def flush():
            texts = [d.text[s:e] for d, spans in pending for s, e in spans]
            n = self._processes(len(pending), len(texts))
            kw = {"n_process": n, "batch_size": 16} if n > 1 else {"batch_size": 64}
            parsed = iter(self.nlp.pipe(texts, **kw))
            for d, spans in pending:
                units = [Unit(i, s, e, next(parsed)) for i, (s, e) in enumerate(spans)]
                yield Analysis(document=d, quotes=tuple(self._quotes(d.text, units, d)))
            pending.clear()

        for doc in docs:
            paras = [(p.start, p.end) for p in doc.paragraphs] or paragraph_spans(doc.text)
            paras = _skip_dateline(doc, paras)
            pending.append((doc, split_units(doc.text, paras)))
            if len(pending) >= group or sum(len(sp) for _, sp in pending) > 4000:
                yield from flush()
        if pending:
            yield from flush()

    def _quotes(self, text: str, units, doc: Document) -> list[Quote]:
        from attribution.resolve.registry import Registry
        from attribution.resolve.speakers import SpeakerResolver

        raws = self.detector.detect(text, units)
        if doc.title:
            raws = [r for r in raws if not _in_title(r, doc)]
        registry = Registry.build(units)
        speakers = SpeakerResolver(registry).resolve_all(raws)
        quotes = []
        for n, (rq, sp) in enumerate(zip(raws, speakers), 1):
            parts = tuple(Span(s, e, text[s:e]) for s, e in rq.parts)
            cue = Span(rq.cue[0], rq.cue[1], text[rq.cue[0] : rq.cue[1]]) if rq.cue else None
            quotes.append(Quote(id=f"q{n}", kind=rq.kind, parts=parts, cue=cue, speaker=sp))
        return _link_fragments(quotes)


# ----------------------------------------------------------------- worker pool


def _main_process() -> bool:
    """Not a worker of some pool (workers never start processes of their own)."""
    import multiprocessing

    proc = multiprocessing.current_process()
    return proc.name == "MainProcess" and not proc.daemon


_WORKER: dict = {}


def _pool_init(detector: str) -> None:
    from attribution.batch import _limit_threads

    _limit_threads()  # one torch thread per worker: the pool is the parallelism
    _WORKER["pipeline"] = Pipeline(detector, n_process=1)


def _pool_run(docs: list[Document]) -> list[Analysis]:
    return list(_WORKER["pipeline"].analyse_many(docs))


def _pooled(detector: str, docs: Iterable[Document], workers: int) -> Iterator[Analysis]:
    """Analyses of `docs` in input order, computed by `workers` fresh processes (forkserver,
    else spawn), a bounded number of chunks in flight."""
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    from attribution.batch import _mp_context

    it = iter(docs)
    with ProcessPoolExecutor(max_workers=workers, mp_context=_mp_context(),
                             initializer=_pool_init, initargs=(detector,)) as pool:
        pending: deque = deque()
        while True:
            while len(pending) < workers * 3:
                chunk = list(itertools.islice(it, POOL_CHUNK))
                if not chunk:
                    break
                pending.append(pool.submit(_pool_run, chunk))
            if not pending:
                return
            yield from pending.popleft().result()


def _skip_dateline(doc: Document, paras: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Start the paragraph after the dateline, so it is never read as a speaker."""
    dateline = doc.dateline
    if dateline is None:
        from attribution.io.dateline import find_dateline

        dateline = find_dateline(doc.text)
    if dateline is None:
        return paras
    out = []
    for s, e in paras:
        if s <= dateline.start < e and dateline.end < e:
            s = dateline.end
            while s < e and doc.text[s].isspace():
                s += 1
        out.append((s, e))
    return out


def _in_title(rq, doc: Document) -> bool:
    t = doc.title.strip()
    if not t:
        return False
    lo = doc.text.find(t)
    return lo >= 0 and lo <= rq.start < lo + len(t)


def _link_fragments(quotes: list[Quote]) -> list[Quote]:
    """A partial quote inside a reported clause points at that clause (`within`)."""
    import bisect
    from dataclasses import replace

    # reported clauses by start; the host is the nearest one starting at or before the
    # fragment (clauses of one document rarely nest): a bisection and a few checks
    indirect = sorted((q for q in quotes if q.kind == "indirect"), key=lambda q: q.start)
    starts = [q.start for q in indirect]
    out = []
    for q in quotes:
        if q.kind == "partial":
            k = bisect.bisect_right(starts, q.start)
            for host in reversed(indirect[max(0, k - 3) : k]):
                if q.end <= host.end + 1:
                    q = replace(q, within=host.id)
                    break
        out.append(q)
    return out
