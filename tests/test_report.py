"""Renderers on hand-built analyses: no model involved."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from attribution.model import (
    QUOTE_KINDS, VERDICTS, Analysis, CheckedQuote, Difference, Document, Evidence, Quote,
    Span, Speaker,
)
from attribution.report import FORMATS, SCHEMA, write_report
from attribution.report.csvout import CHECK_FIELDS, QUOTE_FIELDS, write_csv
from attribution.report.jsonout import analysis_to_json, write_json, write_jsonl
from attribution.report.table import shorten, write_tables

TEXT = (
    "Minister visits port\n\n"
    "HALVIK, March 12 – “The situation [at the quay] has become difficult, frankly,” "
    "Margaret Ellison-Drury said.\n\n"
    "“We will not,” she said, “back down.”\n\n"
    "Ottawa said the study would cost $40 million.\n"
)


def find(sub: str, text: str = TEXT) -> Span:
    start = text.index(sub)
    return Span.of(text, start, start + len(sub))


def article(text: str = TEXT, path: str = "story.txt") -> Document:
    return Document(text=text, path=path, title="Minister visits port", date="2026-03-12",
                    dateline=find("HALVIK, March 12 –", text))


def quotes() -> tuple[Quote, ...]:
    minister = Speaker("Margaret Ellison-Drury", "person", "name",
                       find("Margaret Ellison-Drury"), 0.97)
    return (
        Quote("q1", "direct", (find("The situation [at the quay] has become difficult, frankly,"),),
              cue=find("said."[:-1]), speaker=minister),
        Quote("q2", "split", (find("We will not,"), find("back down.")),
              cue=find("she said"[4:]),
              speaker=Speaker("Margaret Ellison-Drury", "person", "pronoun", find("she"), 0.8)),
        Quote("q3", "indirect", (find("the study would cost $40 million"),),
              cue=find("Ottawa said"[7:]),
              speaker=Speaker("Government of Canada", "government", "metonym", find("Ottawa"), 0.9)),
    )


def analysis(path: str = "story.txt") -> Analysis:
    return Analysis(document=article(path=path), quotes=quotes())


def checked_analysis() -> Analysis:
    q1, q2, q3 = quotes()
    ev = Evidence("reuters-1", "Reuters", "2026-03-12", "Canada funds study",
                  "The situation (at the quay) has become difficult, frankly", 10, 68,
                  "Margaret Ellison-Drury", 98.94, "confirmed",
                  (Difference("replace", "[at the quay]", "(at the quay)", "punctuation"),))
    alt = Evidence("afp-1", "AFP", "2026-03-12", "Port study", "the study would cost $60 million",
                   5, 37, "Government of Canada", 96.0, "altered",
                   (Difference("replace", "40", "60", "number"),))
    checked = (
        CheckedQuote(q1, "confirmed", (ev,)),
        CheckedQuote(q2, "unverified", ()),
        CheckedQuote(q3, "altered", (alt,)),
    )
    return Analysis(document=article(), quotes=(q1, q2, q3), checked=checked)


def render(fn, analyses, **kw) -> str:
    out = io.StringIO()
    fn(analyses, out, **kw)
    return out.getvalue()


# ---- JSON ----------------------------------------------------------------------------

def test_json_has_the_schema_fields():
    obj = analysis_to_json(analysis())
    assert obj["schema"] == SCHEMA == "attribution.check/1"
    assert obj["article"] == {
        "path": "story.txt", "title": "Minister visits port", "date": "2026-03-12",
        "dateline": {"start": 22, "end": 40, "text": "HALVIK, March 12 –"},
    }
    assert [q["id"] for q in obj["quotes"]] == ["q1", "q2", "q3"]
    for q in obj["quotes"]:
        assert {"id", "text", "parts", "kind", "cue", "speaker", "within"} <= set(q)
        assert "verdict" not in q and "evidence" not in q
        assert set(q["speaker"]) == {"name", "type", "method", "mention", "confidence"}
    split = obj["quotes"][1]
    assert split["text"] == "We will not, ... back down."
    assert len(split["parts"]) == 2


def test_json_summary_counts_every_kind():
    summary = analysis_to_json(analysis())["summary"]
    assert summary["quotes"] == 3
    assert set(summary) == {"quotes", *QUOTE_KINDS}
    assert (summary["direct"], summary["split"], summary["indirect"], summary["partial"]) == (1, 1, 1, 0)


def test_json_checked_has_verdicts_evidence_and_verdict_counts():
    obj = analysis_to_json(checked_analysis())
    assert [q["verdict"] for q in obj["quotes"]] == ["confirmed", "unverified", "altered"]
    ev = obj["quotes"][0]["evidence"][0]
    assert ev["agency"] == "Reuters" and ev["similarity"] == 98.9
    assert ev["differences"] == [
        {"op": "replace", "article": "[at the quay]", "wire": "(at the quay)", "kind": "punctuation"}
    ]
    assert obj["quotes"][1]["evidence"] == []
    summary = obj["summary"]
    assert set(summary) == {"quotes", *VERDICTS}
    assert summary == {"quotes": 3, "confirmed": 1, "paraphrased": 0, "altered": 1,
                       "misattributed": 0, "unverified": 1}


@pytest.mark.parametrize("make", [analysis, checked_analysis])
def test_json_offsets_index_the_included_text(make):
    obj = analysis_to_json(make(), include_text=True)
    text = obj["article"]["text"]
    assert text == TEXT
    spans = []
    for q in obj["quotes"]:
        spans += q["parts"]
        spans += [s for s in (q["cue"], q["speaker"]["mention"]) if s]
    assert spans
    for s in spans:
        assert text[s["start"]:s["end"]] == s["text"]


def test_text_only_with_include_text():
    assert "text" not in analysis_to_json(analysis())["article"]


def test_write_json_one_object_or_an_array():
    one = json.loads(render(write_json, [analysis()]))
    assert isinstance(one, dict) and one["schema"] == SCHEMA
    many = json.loads(render(write_json, [analysis("a.txt"), analysis("b.txt")], as_array=True))
    assert [o["article"]["path"] for o in many] == ["a.txt", "b.txt"]
    assert json.loads(render(write_json, [], as_array=True)) == []
    assert render(write_json, []) == ""
    with pytest.raises(ValueError):
        render(write_json, [analysis(), analysis()])


def test_json_keeps_non_ascii_readable():
    assert "“" not in render(write_json, [analysis()])  # quote marks are outside the spans
    doc = Document(text="Erdoğan said «evet».", path="tr.txt")
    q = Quote("q1", "direct", (Span.of(doc.text, 14, 18),))
    assert "Erdoğan" in render(write_json, [Analysis(doc, (q,))], include_text=True)


def test_jsonl_one_line_per_article():
    lines = render(write_jsonl, [analysis("a.txt"), checked_analysis()]).splitlines()
    assert len(lines) == 2
    objs = [json.loads(line) for line in lines]
    assert objs[0]["article"]["path"] == "a.txt"
    assert objs[1]["quotes"][2]["verdict"] == "altered"


# ---- CSV -----------------------------------------------------------------------------

def parse_csv(s: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(s, newline="")))


def test_csv_header_and_one_row_per_quote():
    rows = parse_csv(render(write_csv, [analysis("a.txt"), analysis("b.txt")]))
    assert rows[0] == list(QUOTE_FIELDS)
    assert len(rows) == 1 + 6
    first = dict(zip(rows[0], rows[1]))
    assert first["article"] == "a.txt"
    assert first["speaker"] == "Margaret Ellison-Drury"
    assert first["method"] == "name" and first["cue"] == "said"
    assert TEXT[int(first["start"]):int(first["end"])] == first["text"]


def test_csv_escapes_commas_quotes_and_newlines():
    text = 'He said: "one, two" and\n“three”, then \'four\'\r\nend'
    doc = Document(text=text, path="odd, name \"x\".txt")
    q = Quote("q1", "direct", (Span.of(text, 9, len(text)),),
              speaker=Speaker('Smith, "Bob"', "person", "name", None, 0.5))
    rows = parse_csv(render(write_csv, [Analysis(doc, (q,))]))
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1]))
    assert row["text"] == text[9:]
    assert row["article"] == doc.path
    assert row["speaker"] == 'Smith, "Bob"'
    assert row["mention"] == ""


def test_csv_checked_adds_verdict_columns():
    rows = parse_csv(render(write_csv, [checked_analysis()]))
    assert rows[0] == list(QUOTE_FIELDS + CHECK_FIELDS)
    by_id = {r[1]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert by_id["q1"]["verdict"] == "confirmed" and by_id["q1"]["agency"] == "Reuters"
    assert by_id["q2"]["verdict"] == "unverified" and by_id["q2"]["wire_id"] == ""


def test_csv_without_articles_is_just_the_header():
    assert parse_csv(render(write_csv, [])) == [list(QUOTE_FIELDS)]


@given(st.text(min_size=1))
def test_csv_round_trips_any_quote_text(text):
    doc = Document(text=text, path="p.txt")
    q = Quote("q1", "direct", (Span.of(text, 0, len(text)),))
    rows = parse_csv(render(write_csv, [Analysis(doc, (q,))]))
    assert dict(zip(rows[0], rows[1]))["text"] == text


# ---- table ---------------------------------------------------------------------------

@pytest.mark.parametrize("width", [80, 160])
@pytest.mark.parametrize("make", [analysis, checked_analysis])
def test_table_renders(make, width):
    out = render(write_tables, [make(), make()], width=width)
    assert out.count("story.txt") == 2
    assert all(len(line) <= width for line in out.splitlines())
    assert "Margaret" in out and "metonym" in out  # method: a column, or under the name
    assert "[at" in out  # brackets are text, not rich markup
    assert "\x1b[" not in out  # no colour codes when not a terminal
    if make is checked_analysis:
        assert "altered" in out and "Reuters" in out


def test_table_heading_keeps_a_long_path_whole():
    path = "/very/long/" + "nested-folder/" * 8 + "story.txt"
    out = render(write_tables, [analysis(path)], width=80)
    assert path in out


def test_table_handles_an_article_without_quotes():
    doc = Document(text="Nothing was said.", path="quiet.txt")
    out = render(write_tables, [Analysis(doc, ())], width=100)
    assert "quiet.txt" in out and "0 quotes" in out


def test_shorten():
    assert shorten("a  b\nc") == "a b c"
    long = "word " * 40
    s = shorten(long, 30)
    assert len(s) <= 30 and s.endswith("…")


# ---- dispatch ------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_write_report_every_format(fmt):
    out = io.StringIO()
    assert write_report([analysis()], fmt, out) == 1
    assert out.getvalue()


def test_render_helpers_return_strings():
    from attribution.report import render_csv, render_json, render_jsonl, render_table

    assert json.loads(render_json(analysis()))["schema"] == SCHEMA
    assert len(json.loads(render_json([analysis(), checked_analysis()]))) == 2
    assert len(render_jsonl([analysis(), analysis()]).splitlines()) == 2
    assert parse_csv(render_csv(checked_analysis()))[0] == list(QUOTE_FIELDS + CHECK_FIELDS)
    assert "story.txt" in render_table(analysis(), width=100)


def test_write_report_unknown_format():
    with pytest.raises(ValueError, match="unknown format"):
        write_report([analysis()], "yaml", io.StringIO())
