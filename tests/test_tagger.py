"""The tagger's path end to end on a tiny random model built in memory (no training),
and the shipped weights when they are installed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from attribution.tagger import TAGS
from attribution.tagger.decode import allowed, spans, viterbi
from attribution.tagger.features import Q_CLOSE, Q_IN, Q_OPEN, Q_OUT, windows, words_of

torch = pytest.importorskip("torch")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.floats(-10, 0), min_size=len(TAGS), max_size=len(TAGS)), max_size=40))
def test_viterbi_output_is_well_formed(scores):
    path = viterbi(scores)
    assert len(path) == len(scores)
    names = [TAGS[t] for t in path]
    if names:
        assert not names[0].startswith("I-")
    for prev, cur in zip(names, names[1:]):
        assert allowed(prev, cur), (prev, cur)


def test_viterbi_repairs_an_orphan_inside_tag():
    o, b, i = TAGS.index("O"), TAGS.index("B-CON"), TAGS.index("I-CON")
    rows = [[0.0] * len(TAGS) for _ in range(3)]
    for r in rows:
        r[:] = [-5.0] * len(TAGS)
    rows[0][o] = -0.1
    rows[1][i] = -0.1  # I-CON right after O is not allowed
    rows[1][b] = -0.5
    rows[2][i] = -0.1
    assert [TAGS[t] for t in viterbi(rows)] == ["O", "B-CON", "I-CON"]


def test_spans_reads_runs():
    t = [TAGS.index(x) for x in ["B-SRC", "I-SRC", "O", "B-CUE", "B-CON", "I-CON", "I-CON"]]
    assert spans(t) == [("SRC", 0, 2), ("CUE", 3, 4), ("CON", 4, 7)]


def test_words_keep_offsets_and_quote_positions():
    text = 'Intro.\n\nShe said: “We will not go back,” and left.'
    lo = text.index("She")
    w = words_of(text, lo, len(text))
    for s, e, t in zip(w.starts, w.ends, w.texts):
        assert text[s:e] == t
    pos = dict(zip(w.texts, w.quote))
    assert pos["“"] == Q_OPEN and pos["”"] == Q_CLOSE
    assert pos["We"] == Q_IN and pos["back"] == Q_IN
    assert pos["She"] == Q_OUT and pos["left"] == Q_OUT


@pytest.mark.parametrize("limit, stride", [(10, 3), (7, 0), (50, 10)])
def test_windows_cover_every_word_within_the_limit(limit, stride):
    pieces = [1, 3, 2, 1, 1, 4, 2, 1, 1, 1, 2, 3, 1, 1, 12, 1]
    ws = windows(pieces, limit, stride)
    covered = set()
    for a, b in ws:
        assert b > a
        assert sum(pieces[a:b]) <= limit or b - a == 1
        covered |= set(range(a, b))
    assert covered == set(range(len(pieces)))
    assert ws[0][0] == 0 and ws[-1][1] == len(pieces)


@pytest.fixture(scope="module")
def tiny():
    from attribution.tagger.model import Tagger, TaggerConfig, load_encoder

    torch.manual_seed(0)
    tok, enc = load_encoder(tiny=True)
    model = Tagger(enc, TaggerConfig(max_pieces=24, stride=6))
    model.eval()
    return tok, model


def test_tiny_model_shapes_and_windows(tiny):
    from attribution.tagger.model import encode, tag_words

    tok, model = tiny
    text = " ".join(f"Word{i} said “quote {i}” to reporters." for i in range(30))
    w = words_of(text, 0, len(text))
    ids, mask, widx, shapes, quotes, y = encode(tok, [(w, 0, 10), (w, 10, 14)], [[0] * 10, [1] * 4])
    logits = model(ids, mask, widx, shapes, quotes)
    assert logits.shape == (2, 10, len(TAGS))
    assert (y[1, 4:] == -100).all()  # padding words are not scored
    tags = tag_words(tok, model, [w, words_of("", 0, 0)])
    assert len(tags[0]) == len(w) and tags[1] == []  # a long paragraph over many windows


def test_tiny_model_through_the_pipeline(tiny, pipeline):
    from attribution.model import Document
    from attribution.pipeline import Pipeline
    from attribution.tagger.detector import HybridDetector, TaggerDetector

    text = ("Harbour talks\n\n\"We will build it,\" the minister said.\n\n"
            "Ana Ruiz said the port would open in May, according to the agency.")
    for det in (TaggerDetector(*tiny), HybridDetector(*tiny)):
        p = Pipeline(nlp=pipeline.nlp)
        p.detector = det
        for q in p.analyse(Document(text=text)).quotes:
            assert q.kind in ("direct", "partial", "split", "multi_paragraph", "indirect")
            for part in q.parts:
                assert text[part.start : part.end] == part.text
            if q.cue:
                assert text[q.cue.start : q.cue.end] == q.cue.text


def test_shipped_weights_load_offline_and_tag():
    from attribution.tagger.model import load, shipped, tag_words

    if not shipped():
        pytest.skip("no trained tagger weights in attribution/tagger/weights")
    tok, model = load()
    text = "“The bridge will open in June,” the mayor told reporters on Friday."
    w = words_of(text, 0, len(text))
    tags = [TAGS[t] for t in tag_words(tok, model, [w])[0]]
    roles = {t[2:] for t in tags if t != "O"}
    assert "CON" in roles and "CUE" in roles
    assert tags[w.texts.index("told")].endswith("CUE")
