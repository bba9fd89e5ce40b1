"""Quote detection and speaker resolution on small hand-written articles.

Each test names the behaviour it guards; the articles are invented for these tests.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from attribution.detect.marks import scan
from attribution.model import Document
from attribution.resolve.names import fold, metonym_government


def analyse(pipeline, text: str):
    an = pipeline.analyse(Document(text=text))
    for q in an.quotes:  # the offset invariant, on every test article
        for p in q.parts:
            assert text[p.start : p.end] == p.text
        if q.cue:
            assert text[q.cue.start : q.cue.end] == q.cue.text
        if q.speaker.mention:
            m = q.speaker.mention
            assert text[m.start : m.end] == m.text
    return an.quotes


def find(quotes, words: str):
    hits = [q for q in quotes if words in q.text]
    assert hits, f"no quote containing {words!r} in {[q.text for q in quotes]}"
    return min(hits, key=lambda q: len(q.text))  # the fragment, not the clause around it


# --- quote marks ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ('He said "we will win," and left.', ["we will win,"]),
        ("She said “we will win” today.", ["we will win"]),
        ("Il a dit «nous gagnerons» hier.", ["nous gagnerons"]),
        ("Er sagte „wir gewinnen“ gestern.", ["wir gewinnen"]),
        ("‹Nested› stays single.", ["Nested"]),
        ("“Outer ‘inner’ outer,” he said.", ["Outer ‘inner’ outer,"]),
        ("''Two apostrophes,'' said the reporter.", ["Two apostrophes,"]),
        ("“Wrong-way close,“ he said.", ["Wrong-way close,"]),
        ('He said "never closed', ["never closed"]),
        ("Rock 'n' roll and the Smiths' songs.", []),
    ],
)
def test_marks_pair_every_style(text, expected):
    runs = scan(text, [(0, len(text))])
    assert [text[s.start : s.end] for r in runs for s in r.segments] == expected


def test_marks_join_multi_paragraph_runs():
    text = "“First part goes on.\n\n“Second part ends,” she said.\n\n“A new quote.”"
    paras = [(0, 20), (22, 51), (53, len(text))]
    runs = scan(text, paras)
    assert [len(r.segments) for r in runs] == [2, 1]
    assert text[runs[0].segments[1].start : runs[0].segments[1].end] == "Second part ends,"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("ab ,.\n“”„«»‹›‘’\"'")), max_size=300))
def test_marks_never_fail_and_offsets_hold(text):
    paras = []
    pos = 0
    for block in text.split("\n\n"):
        if block:
            paras.append((pos, pos + len(block)))
        pos += len(block) + 2
    for run in scan(text, paras):
        for seg in run.segments:
            assert 0 <= seg.open_at < seg.start <= seg.end <= len(text)
            assert text[seg.start : seg.end].strip() == text[seg.start : seg.end]


# --- quote kinds -----------------------------------------------------------------

ARTICLE = """Harbour deal signed in Varna

VARNA, March 3, 2026 — Bulgarian Transport Minister Nikolai Petrov signed a harbour agreement with a Greek shipping group on Tuesday.

"This harbour will be open all year round," Petrov told reporters at the quay.

"We waited ten years," he said, "and we will not wait another one."

Petrov said the first ships would arrive in May, bringing what he called "a new season for the coast".

Elena Markova, who heads the Varna dockworkers' association, was sceptical.

"Nobody has shown us the contracts. Nobody has asked the crews.

"We will read every page before we celebrate," Markova said.

"The unions will be consulted," the minister added.

"Every berth will be rebuilt."

Sofia has said that the project will be paid for by the state budget.

According to the port company, 40 ships are already waiting for berths.

The plan, known locally as the "blue corridor", was first drafted in 2019.
"""


@pytest.fixture(scope="module")
def quotes(pipeline):
    return analyse(pipeline, ARTICLE)


@pytest.mark.parametrize(
    "words, kind",
    [
        ("open all year round", "direct"),
        ("We waited ten years", "split"),
        ("Nobody has shown us the contracts", "multi_paragraph"),
        ("the first ships would arrive in May", "indirect"),
        ("a new season for the coast", "partial"),
        ("The unions will be consulted", "direct"),
        ("Every berth will be rebuilt", "direct"),
        ("the project will be paid for by the state budget", "indirect"),
        ("40 ships are already waiting for berths", "indirect"),
    ],
)
def test_each_kind_is_found(quotes, words, kind):
    assert find(quotes, words).kind == kind


def test_split_quote_has_both_parts(quotes):
    q = find(quotes, "We waited ten years")
    assert [p.text for p in q.parts] == ["We waited ten years,", "and we will not wait another one."]
    assert q.text == "We waited ten years, ... and we will not wait another one."


def test_multi_paragraph_parts_one_per_paragraph(quotes):
    q = find(quotes, "Nobody has shown us the contracts")
    assert len(q.parts) == 2
    assert q.parts[1].text.startswith("We will read every page")


def test_scare_quote_and_title_are_not_speech(quotes):
    assert not [q for q in quotes if "blue corridor" in q.text]
    assert not [q for q in quotes if q.text.startswith("Harbour deal")]


def test_indirect_content_drops_the_complementiser(quotes):
    q = find(quotes, "the project will be paid for")
    assert not q.text.startswith("that")


def test_dateline_is_not_a_speaker(quotes):
    assert all("VARNA" not in (q.speaker.name or "") for q in quotes)


# --- speakers --------------------------------------------------------------------


@pytest.mark.parametrize(
    "words, name, method",
    [
        ("open all year round", "Nikolai Petrov", "name"),
        ("We waited ten years", "Nikolai Petrov", "pronoun"),
        ("the first ships would arrive in May", "Nikolai Petrov", "name"),
        ("Nobody has shown us the contracts", "Elena Markova", "name"),
        ("The unions will be consulted", "Nikolai Petrov", "role"),
        ("Every berth will be rebuilt", "Nikolai Petrov", "carryover"),
        ("the project will be paid for by the state budget", "Government of Bulgaria", "metonym"),
        ("40 ships are already waiting", None, "according_to"),
    ],
)
def test_each_speaker_method(quotes, words, name, method):
    q = find(quotes, words)
    assert q.speaker.method == method
    if name is not None:
        assert q.speaker.name == name


def test_cue_is_the_reporting_words(quotes):
    assert find(quotes, "open all year round").cue.text == "told"
    assert find(quotes, "40 ships").cue.text == "According to"


@pytest.mark.parametrize(
    "text, words, name",
    [
        # a pronoun takes the person named in its own paragraph, not the last speaker
        ("Minister Ana Ruiz spoke first.\n\n\"It is done,\" Ruiz said.\n\nUnion leader Tomas Vega arrived later. \"We are not done,\" he said.",
         "We are not done", "Tomas Vega"),
        # a role resolves by nationality among several presidents
        ("French President Louise Marchand met Spanish President Diego Alba in Lyon.\n\n\"The border stays open,\" the Spanish president said.",
         "The border stays open", "Diego Alba"),
        # names compare with diacritics folded; the fullest form is canonical
        ("Prime Minister Zoltán Kovács opened the bridge.\n\n\"It will last a century,\" Kovacs said.",
         "It will last a century", "Zoltán Kovács"),
        # a spokesman speaks for the body
        ("The Health Ministry's spokesman said the vaccine stocks would last until June.",
         "vaccine stocks would last", "Health Ministry"),
        # a building for a government
        ("The Kremlin said the talks would resume next week.", "the talks would resume", "Government of Russia"),
        # "the port authority": the body named with the "Port of" the tagger leaves out
        ("The Port of Varna Authority closed two berths.\n\nAccording to the port authority, 12 ships were waiting.",
         "12 ships were waiting", "Port of Varna Authority"),
        # a nickname in quote marks between first and last name
        ("Among them was Arne “the Walrus” Solheim, a trawler captain.\n\n“We need a longer quay,” Solheim said.",
         "We need a longer quay", "Arne Solheim"),
    ],
)
def test_speaker_resolution_cases(pipeline, text, words, name):
    q = find(analyse(pipeline, text), words)
    assert fold(q.speaker.name) == fold(name)


def test_lead_cue_is_the_verb_nearest_the_quote(pipeline):
    text = 'Speaking at the harbour on Monday, Nikolai Petrov said: "We are ready."'
    q = find(analyse(pipeline, text), "We are ready")
    assert q.cue.text == "said"


@pytest.mark.parametrize(
    "text, words, mention",
    [
        # a participle phrase after the name says what the speaker was doing, not who
        ("Mayor Ines Lund, speaking at the ferry terminal on Friday, said the timetable would change in spring.",
         "the timetable would change", "Mayor Ines Lund"),
        # the parse takes the quote's own words for the subject: the speaker is named outside
        ("“Our reaction, that was a mistake,” the union's former spokesman said on Monday.",
         "Our reaction", "the union's former spokesman"),
        # a trailing ", saying …" belongs to the main clause, not to a relative clause in it
        ("The harbour master was defensive about a contractor who said he was never paid after he rebuilt "
         "the quay, saying the work had been poor.", "the work had been poor", "The harbour master"),
        # "X said he expects them to '…'": the outer report is the attribution
        ('Harbour master Olav Dahl said he expects the ferry company to "keep every route open through the winter."',
         "keep every route open", "Harbour master Olav Dahl"),
    ],
)
def test_speaker_mention_words(pipeline, text, words, mention):
    q = find(analyse(pipeline, text), words)
    assert q.speaker.mention is not None and q.speaker.mention.text == mention


def test_unresolvable_pronoun_gives_no_name(pipeline):
    q = find(analyse(pipeline, '"Yes," he said.'), "Yes")
    assert q.speaker.method == "pronoun"
    assert q.speaker.name == ""


def test_metonym_table():
    assert metonym_government("Ankara") == "Government of Turkey"
    assert metonym_government("the White House") == "Government of the United States"
    assert metonym_government("Brussels") == "European Union"
    assert metonym_government("Ottawa") == "Government of Canada"
    assert metonym_government("the board") is None


def test_fold_diacritics_and_case():
    assert fold("Recep Tayyip Erdoğan") == fold("RECEP TAYYIP ERDOGAN")
    assert fold("Łukasz Wróblewski") == "lukasz wroblewski"


# --- robustness --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\"",
        "““““",
        "\"unclosed quote that runs on and on, said nobody",
        "he said",
        "According to",
        "\n\n\n",
        "«» „“ ‹› ''",
    ],
)
def test_odd_inputs_do_not_fail(pipeline, text):
    analyse(pipeline, text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from([
    "“We will win,” ", "she said. ", "Ana Ruiz ", "said that ", "the plan works", ". ", "\n\n",
    "according to the ministry, ", "“", "”", "\"", "«", "»", "he added", ", ", "Kyiv said ",
    "“Unclosed ", "so-called “label” ", "“Part one,” he said, “part two.” ",
]), max_size=30).map("".join))
def test_offset_invariant_on_arbitrary_articles(pipeline, text):
    for q in analyse(pipeline, text):
        assert q.kind in ("direct", "partial", "split", "multi_paragraph", "indirect")
        assert q.parts and all(p.end > p.start for p in q.parts)


# --- signed quotes, transcript and headline lines, claims carried by a noun ---------


def test_quotes_signed_with_a_dash_each_get_their_signer(pipeline):
    text = ("Readers respond\n\n"
            "“The new bridge has cut my commute in half and I am grateful for it.” ― Mira Kovač\n"
            "“Nobody asked the fishermen what they thought about the plan.”— Tomas Lind\n"
            "“It took eleven years, but the city finally delivered on its word.” – Lea Brandt")
    qs = analyse(pipeline, text)
    got = {q.text.split()[1]: (q.speaker.name, q.kind, q.cue.text if q.cue else None) for q in qs}
    assert got["new"] == ("Mira Kovač", "direct", "―")
    assert got["asked"] == ("Tomas Lind", "direct", "—")
    assert got["took"] == ("Lea Brandt", "direct", "–")


def test_a_dash_before_more_text_is_not_a_signature(pipeline):
    text = "Harbour\n\n“The cranes stay,” the mayor said. “Work resumes Monday” — Port Authority Chief Ola Berg added later today."
    qs = analyse(pipeline, text)
    assert all(q.cue is None or q.cue.text not in ("—",) for q in qs)


def test_transcript_and_headline_lines_name_their_speaker(pipeline):
    text = ("Transcript of the interview\n\n"
            "HOLM: Will the ferry run on Sunday as planned?\n\n"
            "VARGA: It will run, and the fares will stay where they are.\n\n"
            "Note: The interview was edited for length.\n\n"
            "Update: Times are local.")
    qs = analyse(pipeline, text)
    by_text = {q.text: q for q in qs}
    q = by_text["It will run, and the fares will stay where they are."]
    assert q.speaker.name.lower() == "varga" and q.cue.text == ":"
    assert not any(q.text.startswith(("The interview", "Times are")) for q in qs)


def test_a_claim_carried_by_a_noun_names_its_owner(pipeline):
    text = ("Budget row\n\n"
            "Senator Ilse Marr's claim that the budget would cut school funding by a third was disputed on Monday. "
            "The claim that he quoted was old.")
    qs = analyse(pipeline, text)
    q = find(qs, "cut school funding")
    assert q.kind == "indirect" and q.cue.text == "claim"
    assert q.speaker.name == "Ilse Marr"
    assert not any("he quoted" in x.text for x in qs)  # a relative clause is not a claim
