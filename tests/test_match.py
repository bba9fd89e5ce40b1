"""The verdict engine on small hand-made pairs: alignment, difference kinds, verdict rules,
the same-event test and the date window. No spaCy: quotes are built by hand."""

from __future__ import annotations

import pytest

from attribution.match.align import align, classify, tokenize
from attribution.match.matcher import Matcher, strip_frame
from attribution.match.verdict import speaker_relation
from attribution.model import Analysis, Document, Quote, Span, Speaker
from attribution.wires.ingest import Ingester
from attribution.wires.readers import make_item
from attribution.wires.store import SQLiteWireStore

# ----------------------------------------------------------------------------- helpers

# Fictional setting shared by the article and the wires of "the same event": enough names
# in common for the same-event test.
SETTING = (
    "NORRVIK, March 3 - The Kessel Harbour Board and the Dockers' Guild of Norrvik met on "
    "Tuesday at the Brekke Terminal, where Anton Brekke, Liv Sandvik and Mirela Voss spoke. "
)
OTHER_SETTING = (
    "PALMERA, March 3 - The Palmera Tram Authority opened a new line on Tuesday; Jonas "
    "Quill, Bea Ortolan and Teodor Vang attended. "
)


def speaker(name: str, type_: str = "person") -> Speaker:
    return Speaker(name=name, type=type_, method="name", confidence=1.0)


def quote_in(text: str, piece: str, name: str, kind: str = "direct", qid: str = "q1") -> Quote:
    i = text.index(piece)
    return Quote(id=qid, kind=kind, parts=(Span.of(text, i, i + len(piece)),), speaker=speaker(name))


def article(quotes: list[tuple[str, str, str]], date: str = "2026-03-03", setting: str = SETTING) -> Analysis:
    """An article whose paragraphs are the setting and one sentence per quote."""
    paras = [setting]
    for n, (q, name, kind) in enumerate(quotes, 1):
        paras.append(f'{name} said: "{q}"' if kind != "indirect" else f"{name} said {q}.")
    text = "\n\n".join(paras)
    doc = Document(text=text, path="article.txt", title="Harbour talks", date=date)
    qs = tuple(quote_in(text, q, name, kind, f"q{n}") for n, (q, name, kind) in enumerate(quotes, 1))
    return Analysis(document=doc, quotes=qs)


def wire(store, quotes: list[tuple[str, str, str]], *, agency: str = "AFP", date: str = "2026-03-03",
         setting: str = SETTING, extra: str = "", wid: str = "") -> None:
    paras = [setting]
    for q, name, kind in quotes:
        paras.append(f'"{q}," {name} said.' if kind != "indirect" else f"{name} said {q}.")
    if extra:
        paras.append(extra)
    body = "\n\n".join(paras)
    item = make_item(body=body, agency=agency, date=date, headline=f"{agency} story", id=wid)
    qs = tuple(quote_in(item.body, q, name, kind, f"w{n}") for n, (q, name, kind) in enumerate(quotes, 1))
    Ingester(store, pipeline=False).ingest_items([item], analyses=[Analysis(item.document, qs)])


@pytest.fixture
def store(tmp_path):
    s = SQLiteWireStore(tmp_path / "w.db")
    yield s
    s.close()


def verdict(store, art_quote: str, wire_quote: str, *, art_speaker: str = "Anton Brekke",
            wire_speaker: str = "Anton Brekke", kind: str = "direct", wire_kind: str = "direct") -> str:
    wire(store, [(wire_quote, wire_speaker, wire_kind)])
    a = article([(art_quote, art_speaker, kind)])
    return Matcher(store).check(a)[0].verdict


def kinds(a: str, w: str, **kw) -> set[str]:
    return {c.kind for c in align(a, w, **kw).changes}


# ----------------------------------------------------------------------------- alignment


def test_tokens_keep_offsets():
    text = "We don't want “this” [in Idlib] — 1,800 workers…"
    for t in tokenize(text):
        if t.text not in ("n't",):
            assert text[t.start : t.end] == t.text


@pytest.mark.parametrize("a,w", [
    ("the colour of the harbour", "the color of the harbor"),
    ("we will organise the centre", "we will organize the center"),
    ("they travelled with the licence", "they traveled with the license"),
])
def test_spelling_is_not_a_change_of_words(a, w):
    al = align(a, w)
    assert al.closeness == 1.0
    assert kinds(a, w) <= {"spelling"}


def test_number_changes_both_ways():
    assert "number" in kinds("about 40 seconds later", "about 90 seconds later")
    assert "number" in kinds("for three winters we asked", "for two winters we asked")
    assert "number" in kinds("for two winters we asked", "for three winters we asked")
    assert "number" in kinds("212 developers filed complaints", "122 developers filed complaints")
    assert "number" not in kinds("1,800 workers stopped", "1800 workers stopped")


def test_negation_changes_both_ways():
    assert "negation" in kinds("We will not boycott our own club", "We will boycott our own club")
    assert "negation" in kinds("We will boycott our own club", "We will not boycott our own club")
    assert "negation" in kinds("the price including the debts", "the price excluding the debts")
    # a negation that moves but stays ("do not pay" / "pay no") is not a change
    assert "negation" not in kinds("robots do not pay taxes here", "robots pay no taxes here")


def test_entity_changes():
    assert "entity" in kinds("cargo went to Gdynia and Hamburg", "cargo went to Gdynia and Rostock")
    assert "entity" in kinds("at this moment our troops are in danger", "at this moment our border is in danger")


def test_modal_and_scope_changes_both_ways():
    assert "modal" in kinds("we will take this case to court", "we may take this case to court")
    assert "modal" in kinds("we may take this case to court", "we will take this case to court")
    assert "modal" in kinds("we will pay for every test a hospital asks for",
                            "we will pay for every test a public hospital asks for")
    assert "modal" in kinds("some ships were waiting", "all ships were waiting")
    # reported speech: "will" -> "would" is tense backshift, not modality
    assert "modal" not in kinds("the port would reopen on Monday", "the port will reopen on Monday",
                                reported=True)


def test_punctuation_brackets_and_ellipsis():
    al = align("The situation [in Idlib] has become complicated", "The situation in Idlib has become complicated")
    assert al.closeness == 1.0
    assert not [c for c in al.changes if c.kind not in ("punctuation", "spelling")]
    assert classify([], []) == "punctuation"


def test_excerpt_on_either_side():
    long = "We are taking back every vial, opened or not, and we will pay for every test"
    assert align("every vial, opened or not", long).coverage == 1.0
    assert align(long, "every vial, opened or not").coverage == 1.0


def test_strip_frame():
    t = "Investigator Sigrid Ostbo said the crew had switched the boots on too late."
    s, e = strip_frame(t)
    assert t[s:e] == "the crew had switched the boots on too late"
    t = '"We are ready," said Harbour Master Lena Koss.'
    s, e = strip_frame(t)
    assert t[s:e] == "We are ready"


# ----------------------------------------------------------------------------- speakers


@pytest.mark.parametrize("a,w,rel", [
    ("Recep Tayyip Erdoğan", "Erdogan", "same"),
    ("Łukasz Wróblewski", "Lukasz Wroblewski", "same"),
    ("Government of Turkey", "Turkey", "same"),
    ("Government of Poland", "government in Warsaw", "same"),
    ("Korea Fair Trade Commission", "KFTC", "same"),
    ("Håkon Lindqvist", "Even Rustad", "different"),
    ("Government of the United States", "American App Economy Council", "different"),
    ("Anton Brekke", "", "unknown"),
])
def test_speaker_relation(a, w, rel):
    assert speaker_relation(a, w) == rel


# ----------------------------------------------------------------------------- verdicts


def test_confirmed_verbatim(store):
    assert verdict(store, "We will keep the cranes running all winter.",
                   "We will keep the cranes running all winter") == "confirmed"


def test_confirmed_excerpt_spelling_and_diacritics(store):
    assert verdict(store, "keep the harbour open", "We will keep the harbor open, whatever it costs",
                   art_speaker="Mirela Voß", wire_speaker="Mirela Voss", kind="partial") == "confirmed"


@pytest.mark.parametrize("a,w", [
    ("We lost three ships to the storm this winter.", "We lost two ships to the storm this winter."),
    ("We lost two ships to the storm this winter.", "We lost three ships to the storm this winter."),
    ("The guild will not accept the new contract.", "The guild will accept the new contract."),
    ("The guild will accept the new contract.", "The guild will not accept the new contract."),
    ("The cargo will be moved to Hamburg next week.", "The cargo will be moved to Rostock next week."),
    ("We will close the terminal on Friday.", "We might close the terminal on Friday."),
    ("We will pay every docker a bonus this year.", "We will pay every senior docker a bonus this year."),
])
def test_altered_each_kind_both_ways(store, a, w):
    assert verdict(store, a, w) == "altered"


def test_paraphrased_translation(store):
    assert verdict(
        store,
        "Our cranes and our ships are already old. Every day of waiting costs the port money.",
        "Our cranes and ships have already aged, and each day of delay means lost money for the port.",
    ) == "paraphrased"


def test_misattributed(store):
    assert verdict(store, "The harbour belongs to the people who work in it.",
                   "The harbour belongs to the people who work in it.",
                   art_speaker="Anton Brekke", wire_speaker="Liv Sandvik") == "misattributed"


def test_unverified_when_no_wire_has_it(store):
    assert verdict(store, "Nobody told us about the new timetable.",
                   "The guild will meet again in April.") == "unverified"


def test_other_event_is_not_evidence(store):
    # the same words in a story about another event (no names in common): not evidence
    wire(store, [("The harbour belongs to the people who work in it.", "Jonas Quill", "direct")],
         setting=OTHER_SETTING)
    a = article([("The harbour belongs to the people who work in it.", "Anton Brekke", "direct")])
    assert Matcher(store).check(a)[0].verdict == "unverified"


def test_date_window(store):
    wire(store, [("We will keep the cranes running all winter.", "Anton Brekke", "direct")], date="2026-02-01")
    a = article([("We will keep the cranes running all winter.", "Anton Brekke", "direct")])
    assert Matcher(store, window_days=3).check(a)[0].verdict == "unverified"
    assert Matcher(store, window_days=40).check(a)[0].verdict == "confirmed"


def test_confirmed_by_one_wire_beats_another_wires_change(store):
    wire(store, [("About 1,800 workers stopped work at dawn.", "Anton Brekke", "direct")], agency="AFP")
    wire(store, [("About 1,300 workers stopped work at dawn.", "Anton Brekke", "direct")], agency="Reuters")
    a = article([("About 1,800 workers stopped work at dawn.", "Anton Brekke", "direct")])
    cq = Matcher(store).check(a)[0]
    assert cq.verdict == "confirmed"
    assert {e.verdict for e in cq.evidence} == {"confirmed", "altered"}
    assert cq.evidence[0].agency == "AFP"


def test_indirect_against_wire_sentence(store):
    # the wire has the clause as reported speech in a sentence no quote detector found
    wire(store, [], extra="Harbour master Anton Brekke said the terminal would reopen on Monday "
                          "after the repairs.")
    a = article([("the terminal would reopen on Thursday after the repairs", "Anton Brekke", "indirect")])
    cq = Matcher(store).check(a)[0]
    assert cq.verdict == "altered"
    assert any(d.kind == "number" for d in cq.evidence[0].differences)


def test_evidence_offsets_index_the_wire_body(store):
    wire(store, [("We will keep the cranes running all winter.", "Anton Brekke", "direct")])
    a = article([("We will keep the cranes running all winter.", "Anton Brekke", "direct")])
    ev = Matcher(store).check(a)[0].evidence[0]
    body = store.get_item(ev.wire_id).body
    assert body[ev.start : ev.end] == ev.text


def test_check_analysis_and_archive_open(tmp_path):
    from attribution.match.matcher import check_analysis
    from attribution.wires import WireArchive

    with WireArchive.open(tmp_path / "a.db") as arch:
        wire(arch.store, [("We will keep the cranes running all winter.", "Anton Brekke", "direct")])
        a = article([("We will keep the cranes running all winter.", "Anton Brekke", "direct"),
                     ("Nobody asked the guild.", "Liv Sandvik", "direct")])
        checked = check_analysis(a, arch.store, window_days=3)
        assert [c.verdict for c in checked] == ["confirmed", "unverified"]
        assert arch.check(a).checked == checked
