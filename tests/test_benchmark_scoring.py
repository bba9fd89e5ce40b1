"""Unit tests of the benchmark scoring functions, on small hand-made spans."""

from __future__ import annotations

import pytest

from benchmarks._common import (
    PRF,
    content_stratum,
    expand_to_marks,
    fold,
    greedy_match,
    jaccard,
    letter_offsets,
    match_exact,
    match_partial,
    norm_text,
    source_type,
    stratum_of_text,
    text_match_score,
    trim_interval,
    trimmed_offsets,
)
from benchmarks.cases import PredQuote, Totals, score_case
from benchmarks.polnear import Attr, Scores


def span(text: str, sub: str, nth: int = 0) -> tuple[int, int]:
    i = -1
    for _ in range(nth + 1):
        i = text.index(sub, i + 1)
    return (i, i + len(sub))


# ---------------------------------------------------------------- trimming


@pytest.mark.parametrize(
    "raw, core",
    [
        ('"We will not back down,"', "We will not back down"),
        ("“Nous restons.”", "Nous restons"),
        ("«Water is the law»", "Water is the law"),
        ("„Wir bleiben“", "Wir bleiben"),
        ("‹short›", "short"),
        ("'single'", "single"),
        ("‘nested’ ", "nested"),
        ("  that he would go.  ", "that he would go"),
        ("(…) the rest —", "the rest"),
    ],
)
def test_trim_interval(raw, core):
    text = f"x {raw} y"
    s, e = trim_interval(text, 2, 2 + len(raw))
    assert text[s:e] == core


def test_trim_interval_all_punctuation_is_empty():
    text = 'a ",". b'
    s, e = trim_interval(text, 2, 6)
    assert s == e


def test_trimmed_offsets_keeps_colon_cue():
    text = "He said: yes"
    assert trimmed_offsets(text, ((7, 8),)) == frozenset({7})
    assert letter_offsets(text, ((7, 8),)) == frozenset({7})


def test_trimmed_offsets_union_of_segments():
    text = '"A b," he said, "c d."'
    item = (span(text, '"A b,"'), span(text, '"c d."'))
    offs = trimmed_offsets(text, item)
    assert "".join(text[i] for i in sorted(offs)) == "A bc d"


# ---------------------------------------------------------------- exact / partial


def test_exact_match_ignores_marks_and_punctuation():
    text = 'Intro. "We will stay," she said.'
    gold = (span(text, '"We will stay,"'),)
    pred = (span(text, "We will stay"),)
    assert match_exact(text, [gold], [pred]) == [(0, 0, 1.0)]


def test_exact_match_fails_on_extra_word():
    text = "She said that the plan would fail."
    gold = (span(text, "the plan would fail"),)
    pred = (span(text, "that the plan would fail"),)
    assert match_exact(text, [gold], [pred]) == []
    # but it is a partial match
    assert len(match_partial(text, [gold], [pred])) == 1


def test_exact_multisegment_needs_all_segments():
    text = '"One two," he said, "three four."'
    gold = (span(text, '"One two,"'), span(text, '"three four."'))
    only_first = (span(text, "One two"),)
    both = (span(text, "One two"), span(text, "three four"))
    assert match_exact(text, [gold], [only_first]) == []
    assert match_exact(text, [gold], [both]) == [(0, 0, 1.0)]


def test_jaccard():
    assert jaccard({1, 2, 3}, {2, 3, 4}) == pytest.approx(0.5)
    assert jaccard(set(), set()) == 0.0
    assert jaccard({1}, {2}) == 0.0


def test_partial_threshold():
    text = "aaaa bbbb"
    gold = ((0, 9),)  # 8 letters
    half = ((0, 4),)  # 4 letters: Jaccard 0.5
    less = ((0, 3),)  # 3 letters: 0.375
    assert len(match_partial(text, [gold], [half])) == 1
    assert match_partial(text, [gold], [less]) == []


def test_partial_uses_letters_only():
    text = '"abc"  ,  def'
    # same letters, different punctuation/space coverage -> Jaccard 1
    m = match_partial(text, [((0, 13),)], [((1, 13),)])
    assert m == [(0, 0, 1.0)]


def test_greedy_is_one_to_one_best_first():
    # scores: g0-p0 .9, g0-p1 .8, g1-p0 .85 -> g0-p0, then g1 cannot take p0
    table = {(0, 0): 0.9, (0, 1): 0.8, (1, 0): 0.85}
    m = greedy_match(2, 2, lambda g, p: table.get((g, p), 0.0), 0.5)
    assert m == [(0, 0, 0.9)]
    table[(1, 1)] = 0.6
    m = greedy_match(2, 2, lambda g, p: table.get((g, p), 0.0), 0.5)
    assert m == [(0, 0, 0.9), (1, 1, 0.6)]


def test_greedy_duplicates_match_each_once():
    text = "the newspaper wrote"
    item = (span(text, "the newspaper"),)
    assert len(match_exact(text, [item, item], [item])) == 1
    assert len(match_exact(text, [item, item], [item, item])) == 2


def test_prf():
    m = PRF(matched=3, n_gold=4, n_pred=6)
    assert m.p == pytest.approx(0.5)
    assert m.r == pytest.approx(0.75)
    assert m.f1 == pytest.approx(0.6)
    assert PRF().f1 == 0.0
    m.add(PRF(matched=1, n_gold=1, n_pred=1))
    assert (m.matched, m.n_gold, m.n_pred) == (4, 5, 7)


# ---------------------------------------------------------------- strata


@pytest.mark.parametrize(
    "content, stratum",
    [
        ('"We will not back down,"', "direct"),
        ("“We will not back down.”", "direct"),
        ('"One. Two. Three."', "direct"),
        ("«Water is the law»", "direct"),
        ('"They said \'no\' to us,"', "direct"),
        ("that the plan was “dead on arrival”", "mixed"),
        ("“perhaps” the rules “need another look.”", "mixed"),
        ("the plan was dead on arrival", "indirect"),
        ("the union's ‘final’ offer", "indirect"),  # single marks are ignored
        ("", "indirect"),
    ],
)
def test_stratum_of_text(content, stratum):
    assert stratum_of_text(content) == stratum


def test_content_stratum_joins_segments():
    text = '"One two," he said, "three four."'
    item = (span(text, '"One two,"'), span(text, '"three four."'))
    assert content_stratum(text, item) == "direct"


def test_expand_to_marks():
    text = 'Then "We will stay," she said.'
    item = (span(text, "We will stay"),)
    wide = expand_to_marks(text, item)
    assert text[wide[0][0] : wide[0][1]] == '"We will stay,"'
    assert content_stratum(text, wide) == "direct"
    bare = "She said the plan would fail."
    it = (span(bare, "the plan would fail"),)
    assert expand_to_marks(bare, it) == it


@pytest.mark.parametrize(
    "sentence, src, typ",
    [
        ("He said it would rain.", "He", "pronoun"),
        ("It will rain, she said.", "she", "pronoun"),
        ("The mayor, who said it would rain, left.", "who", "relative"),
        ("It will rain, Marta Lindqvist said.", "Marta Lindqvist", "named"),
        ("It will rain, said the Ministry of Transport.", "the Ministry of Transport", "named"),
        ("It will rain, the mayor said.", "the mayor", "common"),
        ("The report says it will rain.", "The report", "common"),
    ],
)
def test_source_type(sentence, src, typ):
    assert source_type(sentence, (span(sentence, src),)) == typ


def test_source_type_missing():
    assert source_type("anything", ()) == "missing"


def test_source_type_sentence_initial_common_noun():
    text = "Officials said it would rain. Other officials disagreed."
    item = (span(text, "Officials"),)
    vocab = (frozenset({"officials", "said"}), frozenset())
    assert source_type(text, item, vocab) == "common"
    # a name seen capitalised mid-sentence stays a name even when also a word
    text2 = "White said it would rain. Asked again, White said no. The white car left."
    vocab2 = (frozenset({"white"}), frozenset({"white"}))
    assert source_type(text2, (span(text2, "White"),), vocab2) == "named"


# ---------------------------------------------------------------- polnear Scores


def test_scores_joint_and_missing_source():
    text = 'Ann Lee said that taxes would rise. "No way," he said. Taxes were cut, it was announced.'
    gold = [
        Attr(content=(span(text, "that taxes would rise"),), source=(span(text, "Ann Lee"),), cue=(span(text, "said"),)),
        Attr(content=(span(text, '"No way,"'),), source=(span(text, "he"),), cue=(span(text, "said", 1),)),
        Attr(content=(span(text, "Taxes were cut"),), source=(), cue=(span(text, "announced"),)),
    ]
    pred = [
        Attr(content=(span(text, "taxes would rise"),), source=(span(text, "Ann Lee"),), cue=(span(text, "said"),), kind="indirect"),
        Attr(content=(span(text, "No way"),), source=(span(text, "Ann Lee"),), cue=(span(text, "said", 1),), kind="direct"),
        Attr(content=(span(text, "Taxes were cut"),), source=(span(text, "Ann Lee"),), cue=(), kind="indirect"),
    ]
    sc = Scores()
    sc.add(text, gold, pred)
    assert sc.role_partial["content"].matched == 3
    assert sc.role_exact["content"].matched == 2  # "that taxes would rise" vs "taxes would rise"
    # joint: first (same source), third (gold has no source); second has the wrong source
    assert sc.joint.matched == 2
    assert sc.missing_content_matched == 1 and sc.missing_with_pred_source == 1
    assert sc.strata_partial["direct"].n_gold == 1 and sc.strata_partial["direct"].matched == 1
    assert sc.strata_partial["indirect"].n_gold == 2
    assert sc.gold_source_types["named"] == 1 and sc.gold_source_types["pronoun"] == 1
    assert sc.src_exact["pronoun"].matched == 0
    j = sc.to_json()
    assert j["roles"]["cue"]["exact"]["pred"] == 2


def test_scores_unmatched_prediction_takes_its_own_stratum():
    text = 'Intro. "Quoted words here," she said. Nothing else.'
    pred = [Attr(content=(span(text, "Quoted words here"),), kind="direct")]
    sc = Scores()
    sc.add(text, [], pred)
    assert sc.strata_partial["direct"].n_pred == 1
    assert sc.strata_partial["direct"].matched_pred == 0


# ---------------------------------------------------------------- cases matching


def test_fold_and_norm_text():
    assert fold("Recep Tayyip  Erdoğan") == "recep tayyip erdogan"
    assert fold("Łukasz Wróblewski") == "lukasz wroblewski"
    assert fold("Růžičková") == "ruzickova"
    assert norm_text(' “Hello, world,” ') == "hello, world"


def test_text_match_score():
    assert text_match_score("We will not, ... back down.", "We will not back down") == 1.0
    assert text_match_score("terrorists", "rooting out terrorists in Idlib") > 0.5  # containment
    assert text_match_score("the plan is dead", "the cat sat on a mat") == 0.0
    j = text_match_score("a b c d", "a b c e")
    assert j == pytest.approx(0.6)


def _gold(text, kind, speaker="Ann Lee", cue="name", mention="Lee", parts=None):
    g = {"text": text, "kind": kind, "speaker": speaker, "cue_type": cue, "speaker_mention": mention}
    if parts:
        g["parts"] = parts
    return g


def test_cases_scoring():
    gold = {
        "quotes": [
            _gold("We will not back down,", "direct"),
            _gold("terrorists", "partial", cue="pronoun", mention="he"),
            _gold("One thing, ... another thing.", "split", parts=["One thing,", "another thing."]),
            _gold("the talks would resume on Monday", "indirect", speaker="Government of Norway", cue="metonym",
                  mention="Oslo"),
        ],
        "not_quotes": ["Project Horizon"],
    }
    preds = [
        PredQuote("We will not back down", "direct", "Ann Lee", "name", "Lee"),
        PredQuote("terrorists", "partial", "Anne Lee", "pronoun", "he"),
        PredQuote("One thing, another thing.", "direct", "ann  LEE", "name", "Lee"),
        PredQuote("he would fight the terrorists in the hills", "indirect", "Ann Lee", "name", "he"),
        PredQuote("Project Horizon", "partial"),
        PredQuote("an invented quote nobody said", "direct"),
    ]
    r = score_case("t", gold, preds)
    assert {(g, p) for g, p, _ in r.matches} == {(0, 0), (1, 1), (2, 2)}
    assert r.scare_quotes() == ["Project Horizon"]
    assert r.ignored_indirect() == [3]  # encloses the gold partial "terrorists"
    t = Totals()
    t.add(r)
    j = t.to_json()
    assert j["recall"]["all"] == {"found": 3, "gold": 4, "r": 0.75}
    assert j["recall"]["indirect"]["found"] == 0
    assert j["kind_accuracy"] == pytest.approx(2 / 3, abs=1e-4)
    assert j["precision_quoted"] == {"pred": 5, "matched": 3, "p": 0.6}
    assert j["precision_indirect"]["pred"] == 0 and j["precision_indirect"]["ignored_enclosing_partial"] == 1
    assert j["scare_quotes_reported"] == 1
    assert j["speaker"]["name"]["name"] == 1.0  # "ann  LEE" folds to "ann lee"
    assert j["speaker"]["pronoun"]["name"] == 0.0  # "Anne Lee" is not "Ann Lee"
    assert j["speaker"]["all"]["method"] == 1.0


def test_case00_clause_and_fragment_both_count():
    gold = {"quotes": [
        _gold("he and Erdogan have outlined measures aimed at rooting out \"terrorists\" in Idlib", "indirect"),
        _gold("terrorists", "partial"),
    ]}
    preds = [
        PredQuote("terrorists", "partial", "Ann Lee", "name", "Lee"),
        PredQuote('he and Erdogan have outlined measures aimed at rooting out "terrorists" in Idlib', "indirect",
                  "Ann Lee", "name", "Lee"),
    ]
    r = score_case("t", gold, preds)
    assert {(g, p) for g, p, _ in r.matches} == {(0, 1), (1, 0)}


def test_exact_drop_leading_that():
    text = "She said that the plan would fail."
    gold = (span(text, "that the plan would fail"),)
    pred = (span(text, "the plan would fail"),)
    assert match_exact(text, [gold], [pred]) == []
    assert match_exact(text, [gold], [pred], drop_that=True) == [(0, 0, 1.0)]
    # "that" as a demonstrative inside a quote is dropped on both sides alike
    t2 = '"That is wrong," he said.'
    g2 = (span(t2, '"That is wrong,"'),)
    assert match_exact(t2, [g2], [(span(t2, "That is wrong"),)], drop_that=True) == [(0, 0, 1.0)]


# ---------------------------------------------------------------- predictions from model objects


def _analysis(text, quotes):
    from attribution.model import Analysis, Document

    return Analysis(document=Document(text=text), quotes=tuple(quotes))


def test_pred_attrs_and_nested_partials():
    from attribution.model import Quote, Span, Speaker

    from benchmarks.polnear import nested_partials, pred_attrs

    text = 'Lee said the plan was "dead on arrival" and would fail.'
    sp = Speaker(name="Ann Lee", method="name", mention=Span.of(text, 0, 3))
    clause = span(text, 'the plan was "dead on arrival" and would fail')
    frag = span(text, "dead on arrival")
    q1 = Quote(id="q1", kind="indirect", parts=(Span.of(text, *clause),), cue=Span.of(text, 4, 8), speaker=sp)
    q2 = Quote(id="q2", kind="partial", parts=(Span.of(text, *frag),), cue=Span.of(text, 4, 8), speaker=sp)
    an = _analysis(text, [q1, q2])
    assert nested_partials(an.quotes) == {"q2"}
    attrs = pred_attrs(an)
    assert [a.kind for a in attrs] == ["indirect"]
    assert attrs[0].source == ((0, 3),) and attrs[0].cue == ((4, 8),)
    assert len(pred_attrs(an, keep_nested=True)) == 2


def test_offset_mapper_identity_and_shift():
    from benchmarks.polnear import offset_mapper

    assert offset_mapper("abc", "abc") is None
    src = "\ufeffHello world"
    dst = "Hello world"
    m = offset_mapper(src, dst)
    assert src[m(0) : m(5)] == "Hello"


def test_speed_generator_is_seeded():
    from benchmarks.speed import generate_article, generate_large

    a, b = generate_article(3), generate_article(3)
    assert a == b and a != generate_article(4)
    assert 550 <= len(a.split()) <= 800
    assert any(m in a for m in "“”")
    big = generate_large(200_000)
    assert len(big.encode()) >= 200_000
