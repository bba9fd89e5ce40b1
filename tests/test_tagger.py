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


def test_viterbi_with_transitions_is_the_best_path():
    import itertools
    import random

    rnd = random.Random(3)
    k = len(TAGS)
    rows = [[rnd.uniform(-3, 3) for _ in range(k)] for _ in range(4)]
    trans = [[rnd.uniform(-2, 2) for _ in range(k)] for _ in range(k)]
    start, end = [rnd.uniform(-1, 1) for _ in range(k)], [rnd.uniform(-1, 1) for _ in range(k)]

    def score(path):
        if TAGS[path[0]].startswith("I-") or not all(allowed(TAGS[a], TAGS[b]) for a, b in zip(path, path[1:])):
            return float("-inf")
        return (start[path[0]] + sum(r[t] for r, t in zip(rows, path)) + end[path[-1]]
                + sum(trans[a][b] for a, b in zip(path, path[1:])))

    best = max(itertools.product(range(k), repeat=len(rows)), key=score)
    assert viterbi(rows, trans, start, end) == list(best)


def test_crf_likelihood_matches_brute_force():
    import itertools

    from attribution.tagger.model import CRF

    torch.manual_seed(1)
    k = len(TAGS)
    crf = CRF(k)
    with torch.no_grad():
        crf.trans.normal_(), crf.start.normal_(), crf.end.normal_()
    crf.requires_grad_(False)
    em = torch.randn(1, 4, k)
    trans, start = crf.trans + crf.bad, crf.start + crf.bad_start

    def score(path):
        s = start[path[0]] + em[0, 0, path[0]] + crf.end[path[-1]]
        for t in range(1, len(path)):
            s = s + trans[path[t - 1], path[t]] + em[0, t, path[t]]
        return s

    for gold in ([1, 2, 0, 5], [5, 6, 3, -100]):  # the second: last word not scored
        n = sum(1 for g in gold if g != -100)
        log_z = torch.logsumexp(torch.stack([score(p) for p in itertools.product(range(k), repeat=n)]), 0)
        nll = crf.nll(em, torch.tensor([gold]))
        assert abs(float(nll) - float(log_z - score(gold[:n]))) < 1e-3


def test_parse_and_rule_features(pipeline):
    from attribution.detect.rules import RuleDetector
    from attribution.nlp import parse_units
    from attribution.tagger.features import (CL_HAS_COMP, CL_IN_COMP, DEP_ID, ENT_ID, POS_ID, R_CUE, R_QCON,
                                             R_SRC, unit_words)

    text = "Intro line.\n\n“We will not go back,” Ana Ruiz said. She said the port would open in May."
    units = parse_units(pipeline.nlp, text, [(0, 11), (13, len(text))])
    pairs = unit_words(text, units, RuleDetector(broad=True).detect(text, units))
    assert [u for u, _ in pairs] == units
    w = pairs[1][1]
    col = {name: dict(zip(w.texts, getattr(w, name))) for name in ("pos", "dep", "ent", "clause", "rule")}
    assert len(w.pos) == len(w.dep) == len(w.rule) == len(w)
    assert col["pos"]["port"] == POS_ID["NOUN"] and col["dep"]["She"] == DEP_ID["nsubj"]
    assert col["ent"]["May"] == ENT_ID["DATE"] and col["ent"]["port"] == 1
    assert col["rule"]["We"] == R_QCON and col["rule"]["Ruiz"] == R_SRC
    said = [k for k, t in enumerate(w.texts) if t == "said"]
    assert w.rule[said[0]] == R_CUE
    assert w.clause[said[1]] == CL_HAS_COMP and col["clause"]["port"] == CL_IN_COMP


@pytest.fixture(scope="module", params=[False, True], ids=["softmax", "crf"])
def tiny(request):
    from attribution.tagger.features import FEATURES
    from attribution.tagger.model import Tagger, TaggerConfig, load_encoder

    torch.manual_seed(0)
    tok, enc = load_encoder(tiny=True)
    model = Tagger(enc, TaggerConfig(max_pieces=24, stride=6, features=FEATURES, crf=request.param))
    model.eval()
    return tok, model


def test_tiny_model_shapes_and_windows(tiny):
    from attribution.tagger.features import FEATURES
    from attribution.tagger.model import encode, tag_words

    tok, model = tiny
    text = " ".join(f"Word{i} said “quote {i}” to reporters." for i in range(30))
    w = words_of(text, 0, len(text))
    ids, mask, widx, feats, y = encode(tok, [(w, 0, 10), (w, 10, 14)], [[0] * 10, [1] * 4])
    assert feats.shape == (2, 10, len(FEATURES))
    assert feats[0, 1, FEATURES.index("quote")] == w.quote[1]
    assert (feats[..., FEATURES.index("pos")] == 0).all()  # no parse given: padding
    scores = model(ids, mask, widx, feats)
    assert scores.shape == (2, 10, len(TAGS))
    assert (y[1, 4:] == -100).all()  # padding words are not scored
    loss = model.loss(scores, y)
    assert loss.ndim == 0 and float(loss.detach()) > 0
    loss.backward()
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


def test_first_weights_format_still_loads(tmp_path, tiny):
    """Weights saved by the first tagger (use_shape/use_quote, shape./quote. keys) load."""
    from safetensors.torch import save_file

    from attribution.tagger.model import load

    tok, model = tiny
    cfg = {"feature_dim": 16, "use_shape": True, "use_quote": False, "frozen_layers": 2,
           "max_pieces": 250, "stride": 32}
    (tmp_path / "config.json").write_text(__import__("json").dumps(cfg))
    save_file({"shape.weight": torch.ones(8, 16), "head.weight": torch.zeros(len(TAGS), 384 + 16),
               "head.bias": torch.zeros(len(TAGS))}, str(tmp_path / "tagger.safetensors"))
    _, m = load(tmp_path)
    assert m.config.features == ("shapes",)
    assert float(m.feats["shapes"].weight.detach().sum()) == 8 * 16


def test_shipped_weights_load_offline_and_tag(pipeline):
    from attribution.model import Document
    from attribution.pipeline import Pipeline
    from attribution.tagger.detector import TaggerDetector
    from attribution.tagger.model import load, shipped

    if not shipped():
        pytest.skip("no trained tagger weights in attribution/tagger/weights")
    tok, model = load()
    text = "Bridge news\n\n“The bridge will open in June,” the mayor told reporters on Friday."
    p = Pipeline(nlp=pipeline.nlp)
    p.detector = TaggerDetector(tok, model)
    quotes = p.analyse(Document(text=text)).quotes
    assert quotes, "the shipped tagger found no quote"
    q = quotes[0]
    assert "bridge will open in June" in q.text
    assert q.cue is not None and q.cue.text.startswith("told")


def test_pooled_analyses_equal_in_process(pipeline, monkeypatch):
    """Many documents with a torch detector go to worker processes; the result is the same
    as in this process, in input order."""
    from attribution.model import Document
    from attribution.pipeline import Pipeline
    from attribution.tagger.model import shipped

    if not shipped():
        pytest.skip("no trained tagger weights in attribution/tagger/weights")
    texts = [f"Talks {i}\n\n“Round {i} is over,” Ana Ruiz said.\n\nShe said talks would resume on day {i}."
             for i in range(6)]
    docs = [Document(text=t) for t in texts]
    here = Pipeline("tagger", nlp=pipeline.nlp, n_process=1)
    pooled = Pipeline("tagger", nlp=pipeline.nlp, n_process=2)
    assert pooled._pool_size(len(docs)) == 2 and here._pool_size(len(docs)) == 1
    a = [[(q.text, q.kind, q.speaker.name) for q in an.quotes] for an in here.analyse_many(docs)]
    b = [[(q.text, q.kind, q.speaker.name) for q in an.quotes] for an in pooled.analyse_many(docs)]
    assert a == b and any(a)
    assert [an.document.text for an in pooled.analyse_many(docs)] == texts


def _tagged(pipeline, text, marks):
    """Words of `text` (one unit) and tags from `marks`: {role: [word texts in order]}."""
    from attribution.nlp import parse_units

    u = parse_units(pipeline.nlp, text, [(0, len(text))])[0]
    w = words_of(text, 0, len(text))
    tags = [0] * len(w)
    for role, spans in marks.items():
        for first, last in spans:
            a = w.texts.index(first)
            b = w.texts.index(last, a)
            tags[a] = TAGS.index("B-" + role)
            for k in range(a + 1, b + 1):
                tags[k] = TAGS.index("I-" + role)
    return u, w, tags


def test_tagged_parts_around_one_cue_make_one_split_quote(pipeline):
    from attribution.tagger.detector import _quotes_of

    text = "“The port stays shut,” Ana Ruiz said, “until the talks resume.”"
    u, w, tags = _tagged(pipeline, text, {"CON": [("The", "shut"), ("until", "resume")],
                                          "SRC": [("Ana", "Ruiz")], "CUE": [("said", "said")]})
    quotes = _quotes_of(text, u, w, tags)
    assert len(quotes) == 1 and quotes[0].kind == "split"
    assert [text[s:e] for s, e in quotes[0].parts] == ["The port stays shut", "until the talks resume"]
    assert text[slice(*quotes[0].cue)] == "said"


def test_two_tagged_contents_after_one_cue_stay_two_quotes(pipeline):
    from attribution.tagger.detector import _quotes_of

    text = "Ana Ruiz said the port would reopen. Ruiz also warned of delays elsewhere."
    u, w, tags = _tagged(pipeline, text, {"CON": [("the", "reopen"), ("of", "elsewhere")],
                                          "SRC": [("Ana", "Ruiz")], "CUE": [("said", "said")]})
    quotes = _quotes_of(text, u, w, tags)
    assert len(quotes) == 2 and all(q.kind == "indirect" for q in quotes)
    assert all(text[slice(*q.cue)] == "said" for q in quotes)  # both keep the speaker's cue


def test_a_quoted_name_after_a_naming_word_is_not_a_quote(pipeline):
    from attribution.tagger.detector import _quotes_of

    text = 'The operator wants new cranes, a plan it calls "Project Horizon".'
    u, w, tags = _tagged(pipeline, text, {"CON": [("Project", "Horizon")], "SRC": [("it", "it")],
                                          "CUE": [("calls", "calls")]})
    assert _quotes_of(text, u, w, tags) == []


def test_parse_forks_until_this_package_starts_torch(pipeline, monkeypatch):
    """spaCy imports torch on its own; only a torch model this package loads stops the
    parse from forking workers (a fork once torch's threads run can hang)."""
    import attribution.nlp as nlp
    from attribution.pipeline import Pipeline

    monkeypatch.setattr(nlp, "_TORCH_STARTED", False)
    p = Pipeline("rules", nlp=pipeline.nlp)
    monkeypatch.setattr("multiprocessing.current_process", lambda: type("P", (), {"name": "MainProcess", "daemon": False})())
    assert p._processes(60, 600) > 1 or __import__("os").cpu_count() == 1
    from attribution.tagger.model import load_encoder

    load_encoder(tiny=True)
    assert nlp.torch_started() and p._processes(60, 600) == 1
    assert Pipeline("tagger", nlp=pipeline.nlp)._processes(60, 600) == 1
