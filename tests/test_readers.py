"""Tests for attribution.io.readers: every format, bad input, datelines, offsets.

All article texts here are invented for these tests.
"""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attribution import errors
from attribution.errors import InputError
from attribution.io import htmltext, readers
from attribution.io.dateline import dateline_parts, find_date_paragraph, parse_date
from attribution.io.readers import (
    document_from_text,
    find_dateline,
    iter_documents,
    read_documents,
)
from attribution.model import Document

ARTICLE = """Harbour council delays vote on island ferry timetable

KESTREL BAY, Examplia, March 4, 2026 — The harbour council postponed a vote on the new ferry timetable on Wednesday after islanders filled the public gallery.

"We were never asked what hours suit people who work on the mainland," said Tomasz Winterbourne, who chairs the islanders' association.

The council's chair, Maren Oakhollow, said the vote would be held next month.
"""

HTML_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Harbour council delays ferry vote | Example Gazette</title>
<meta property="og:title" content="Harbour council delays ferry vote">
<meta property="article:published_time" content="2026-03-04T09:15:00Z">
<script>var trackingPixel = "zzscriptzz";</script>
<style>.banner { color: red }</style>
</head><body>
<div class="skip"><a href="#main">Accessibility links</a> <a href="#main">Skip to main content</a></div>
<header><nav><ul><li><a href="/">Homepagelink</a></li><li><a href="/world">Worldsection</a></li></ul></nav></header>
<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies</div>
<main id="main"><article>
<h1>Harbour council delays ferry vote</h1>
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Share on Twitter</a></div>
<figure><img src="ferry.jpg" alt="ferry"><figcaption>A ferry waits at the quay in morning fog. Photo: Staffphotographer</figcaption></figure>
<p>KESTREL BAY, Examplia, March 4, 2026 — The harbour council postponed on Wednesday a vote on the new ferry timetable after residents of the outer islands filled the public gallery to object.</p>
<p>"We were never asked what hours suit people who work on the mainland," said Tomasz Winterbourne, who chairs the islanders' association.</p>
<p>The council's chair, Maren Oakhollow, said the vote would be held next month once the operator had answered the residents' questions about winter sailings.</p>
<p>"Nobody is cancelling the early boat," she told reporters after the meeting. "We need the numbers first."</p>
<p>The ferry operator said in a statement that the timetable was designed to cut fuel costs by a fifth over the coming year.</p>
<div class="fontsize"><span>XS</span> <span>SM</span> <span>MD</span> <span>LG</span></div>
</article></main>
<aside><h2>Most read</h2><ul><li>Bakery wins pastry award in Mostreadlink</li></ul></aside>
<div class="sizes">XS SM MD LG</div>
<footer><p>Copyright 2026 Example Gazette. All rights reserved. Footertext privacy policy.</p></footer>
</body></html>
"""

HTML_PARAGRAPHS = [
    "The harbour council postponed on Wednesday a vote on the new ferry timetable",
    '"We were never asked what hours suit people who work on the mainland," said Tomasz Winterbourne',
    "The council's chair, Maren Oakhollow, said the vote would be held next month",
    '"Nobody is cancelling the early boat," she told reporters after the meeting. "We need the numbers first."',
    "The ferry operator said in a statement",
]
HTML_CHROME = [
    "Accessibility links", "Skip to main content", "Homepagelink", "Worldsection", "cookies",
    "Share on Facebook", "Share on Twitter", "Staffphotographer", "morning fog", "XS", "SM MD",
    "Mostreadlink", "Footertext", "Copyright", "zzscriptzz", "color: red",
]


def check_offsets(doc: Document) -> None:
    """The contract every span keeps."""
    assert "\r" not in doc.text
    prev_end = -1
    for s in doc.paragraphs:
        assert doc.text[s.start:s.end] == s.text
        assert s.text and s.text == s.text.strip()
        assert s.start >= prev_end
        prev_end = s.end
    if doc.dateline is not None:
        d = doc.dateline
        assert doc.text[d.start:d.end] == d.text
        assert any(p.start == d.start for p in doc.paragraphs)


def write(tmp_path, name: str, content) -> str:
    p = tmp_path / name
    if isinstance(content, str):
        p.write_text(content, encoding="utf-8", newline="")
    else:
        p.write_bytes(content)
    return str(p)


def raises_input(path, code: str, contains: str = "", where: str = "") -> InputError:
    with pytest.raises(InputError) as info:
        read_documents(path)
    err = info.value
    assert err.code == code, err
    assert contains in err.problem, err
    assert "\n" not in str(err)
    assert err.path == str(path) + where
    return err


# --------------------------------------------------------------------------- plain text

def test_plain_text(tmp_path):
    path = write(tmp_path, "story.txt", ARTICLE)
    [doc] = read_documents(path)
    check_offsets(doc)
    assert doc.path == path
    assert doc.text == ARTICLE
    assert doc.title == "Harbour council delays vote on island ferry timetable"
    assert doc.date == "2026-03-04"
    assert doc.dateline.text == "KESTREL BAY, Examplia, March 4, 2026 —"
    assert len(doc.paragraphs) == 4
    assert doc.paragraphs[3].text == "The council's chair, Maren Oakhollow, said the vote would be held next month."


def test_crlf_and_lone_cr_normalised(tmp_path):
    path = write(tmp_path, "crlf.txt", ARTICLE.replace("\n", "\r\n"))
    [doc] = read_documents(path)
    check_offsets(doc)
    assert doc.text == ARTICLE
    [doc2] = read_documents(write(tmp_path, "cr.txt", ARTICLE.replace("\n", "\r")))
    assert doc2.text == ARTICLE


@pytest.mark.parametrize("encoding,bom", [("utf-8-sig", b"\xef\xbb\xbf"), ("utf-16", b"")])
def test_bom_is_stripped(tmp_path, encoding, bom):
    data = ARTICLE.encode(encoding)
    path = write(tmp_path, "bom.txt", data)
    [doc] = read_documents(path)
    assert doc.text == ARTICLE
    assert not doc.text.startswith("\ufeff")
    assert doc.title.startswith("Harbour council")


def test_undecodable_names_the_byte(tmp_path):
    path = write(tmp_path, "bad.txt", b"Good text \xff\xfe more text")
    err = raises_input(path, errors.E_UNDECODABLE, "not valid UTF-8 at byte 10")
    assert str(err).startswith(path)
    # the byte offset counts the BOM
    path2 = write(tmp_path, "bad-bom.txt", b"\xef\xbb\xbfabc\x80")
    raises_input(path2, errors.E_UNDECODABLE, "at byte 6")


@pytest.mark.parametrize(
    "content,code,problem",
    [
        (b"", errors.E_EMPTY, "file is empty"),
        (b"   \n\t\r\n  \n", errors.E_EMPTY, "file is empty"),
        (b"\xef\xbb\xbf \n", errors.E_EMPTY, "file is empty"),
        (b"some text\x00\x00\x01\x02 more", errors.E_BINARY, "binary file (NUL bytes)"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", errors.E_BINARY, "binary file"),
        (b"\x89PNG\r\n\x1a\n", errors.E_BINARY, "binary file"),
    ],
    ids=["empty", "whitespace", "bom-only", "nul", "pdf", "png"],
)
@pytest.mark.parametrize("ext", [".txt", ".html", ".json", ".jsonl", ""])
def test_unreadable_files(tmp_path, content, code, problem, ext):
    path = write(tmp_path, "input" + ext, content)
    raises_input(path, code, problem)


def test_not_found_and_directory(tmp_path):
    raises_input(str(tmp_path / "missing.txt"), errors.E_NOT_FOUND, "not found")
    raises_input(str(tmp_path), errors.E_FORMAT, "directory")


def test_too_large(tmp_path, monkeypatch):
    assert readers.MAX_BYTES == 50 * 1024 * 1024
    monkeypatch.setattr(readers, "MAX_BYTES", 100)
    path = write(tmp_path, "big.txt", "word " * 100)
    raises_input(path, errors.E_TOO_LARGE, "file too large")


def test_lines_without_blank_lines_are_paragraphs():
    doc = document_from_text("First line here.\nSecond line here.\n  Third line.  \n")
    check_offsets(doc)
    assert [p.text for p in doc.paragraphs] == ["First line here.", "Second line here.", "Third line."]


def test_blank_line_paragraphs_keep_inner_lines():
    doc = document_from_text("Headline words here\n\nline one\nline two\n \t \nlast one.\n\n\n")
    check_offsets(doc)
    assert [p.text for p in doc.paragraphs] == ["Headline words here", "line one\nline two", "last one."]


@pytest.mark.parametrize(
    "text,title",
    [
        (ARTICLE, "Harbour council delays vote on island ferry timetable"),
        ("Accessibility links\n\nBreaking News\n\nLeaders Discuss Ferry Deal\n\nBody text here.", "Leaders Discuss Ferry Deal"),
        ("The council met on Tuesday.\n\nIt voted.", ""),
        ("x" * 250 + "\n\nBody.", ""),
        ('"We will not back down," the mayor said.\n\nMore.', ""),
        ("Who pays for the new bridge?\n\nBody.", "Who pays for the new bridge?"),
        ("LINDENFORD — The mayor opened a bridge\n\nBody.", ""),
    ],
)
def test_title_guess(text, title):
    assert document_from_text(text).title == title


def test_given_title_and_date_win():
    doc = document_from_text(ARTICLE, path="x", title="Given", date="2025-01-02T10:00:00Z")
    assert doc.title == "Given"
    assert doc.date == "2025-01-02"


def test_date_from_updated_line():
    text = "Club sold to fund\n\nUpdated 12 August 2026, 16:40 CET\n\nPRAGUE — The owner agreed to sell."
    doc = document_from_text(text)
    assert doc.date == "2026-08-12"
    assert doc.dateline.text == "PRAGUE —"


def test_wire_header_block(tmp_path):
    text = ("Agency: Reuters\nDate: 2026-05-21\nHeadline: Talks on reservoir end without deal\n\n"
            "BISHKEK, May 21 (Reuters) - Talks ended without a deal, officials said.\n")
    [doc] = read_documents(write(tmp_path, "wire.txt", text))
    check_offsets(doc)
    assert doc.text == text
    assert doc.title == "Talks on reservoir end without deal"
    assert doc.date == "2026-05-21"
    assert doc.meta_get("agency") == "Reuters"
    assert doc.text[int(doc.meta_get("body_start")):].startswith("BISHKEK, May 21 (Reuters) -")
    assert doc.dateline.text == "BISHKEK, May 21 (Reuters) -"


# --------------------------------------------------------------------------- datelines

@pytest.mark.parametrize(
    "opening,dateline,date,agency",
    [
        ("BODØ, Norway, Feb 19, 2026 — Investigators said", "BODØ, Norway, Feb 19, 2026 —", "2026-02-19", None),
        ("MOSCOW, Aug 27 (Reuters) – The ministry said", "MOSCOW, Aug 27 (Reuters) –", None, "Reuters"),
        ("MOSCOW, Aug 27 (Reuters) - The ministry said", "MOSCOW, Aug 27 (Reuters) -", None, "Reuters"),
        ("MEXICO CITY, July 23, 2026 — The regulator", "MEXICO CITY, July 23, 2026 —", "2026-07-23", None),
        ("BISHKEK, 21 May 2026 — The two states", "BISHKEK, 21 May 2026 —", "2026-05-21", None),
        ("ZHUKOVSKY /Moscow Region/, August 27. The leaders", "ZHUKOVSKY /Moscow Region/, August 27.", None, None),
        ("BISHKEK, May 21. /TASS/. The minister said", "BISHKEK, May 21. /TASS/.", None, "TASS"),
        ("MOSCOW. Aug 27 - The two leaders met", "MOSCOW. Aug 27 -", None, None),
        ("BISHKEK. May 21 (Interfax) - No agreement", "BISHKEK. May 21 (Interfax) -", None, "Interfax"),
        ("Oslo, Feb 19, 2026 (AFP) - A turboprop", "Oslo, Feb 19, 2026 (AFP) -", "2026-02-19", "AFP"),
        ("Struga, North Macedonia (AFP) - The two", "Struga, North Macedonia (AFP) -", None, "AFP"),
        ("SEOUL, South Korea (AP) — A court", "SEOUL, South Korea (AP) —", None, "AP"),
        ("MEXICO CITY (AP) -- Mexico ordered", "MEXICO CITY (AP) --", None, "AP"),
        ("ST. PETERSBURG, Russia, June 5 (Reuters) - x", "ST. PETERSBURG, Russia, June 5 (Reuters) -", None, "Reuters"),
        ("KYIV/MOSCOW, Feb 24 (Reuters) - x", "KYIV/MOSCOW, Feb 24 (Reuters) -", None, "Reuters"),
        ("WASHINGTON, 2026-03-04 — Officials", "WASHINGTON, 2026-03-04 —", "2026-03-04", None),
        ("LONDON—The bank raised rates", "LONDON—", None, None),
        ("GDAŃSK, Poland, Nov 4, 2026 — Dockers", "GDAŃSK, Poland, Nov 4, 2026 —", "2026-11-04", None),
    ],
)
def test_datelines(opening, dateline, date, agency):
    text = f"Some headline for the story\n\n{opening} the rest of the sentence.\n\nMore text."
    doc = document_from_text(text)
    check_offsets(doc)
    assert doc.dateline is not None and doc.dateline.text == dateline
    assert doc.date == date
    assert dateline_parts(doc.dateline)["agency"] == agency
    assert find_dateline(text) == doc.dateline


@pytest.mark.parametrize(
    "opening",
    [
        "Russian President Vladimir Putin has met with his counterpart.",
        "Putin said after the talks on August 27 that they agreed.",
        "Norwegian investigators fault late de-icing.",
        "Ankara has said that the assault must stop.",
        "US President Donald Trump said on Monday - in a post - that",
        "MOSCOW-based analysts said the talks failed.",
        "NATO. The alliance said nothing.",
        "Monday, March 3 — the day the strike began.",
        "I — for one — disagree.",
        "UPDATE: the report was revised.",
        "Officials in Oslo (Norway) - said nothing.",
        "Hello World - this is a test.",
        "Mayor Idris Pennyworth, the host - said so.",
    ],
)
def test_not_datelines(opening):
    doc = document_from_text(f"Headline here\n\n{opening}\n\nMore.")
    assert doc.dateline is None
    assert find_dateline(opening) is None


def test_find_dateline_start_and_limit():
    text = "Headline\n\nBody sentence one.\n\nPARIS, May 2 (AFP) - Later."
    span = find_dateline(text)
    assert span.text == "PARIS, May 2 (AFP) -"
    assert find_dateline(text, start=span.start + 1) is None
    far = "\n\n".join(f"Paragraph {i}." for i in range(20)) + "\n\nPARIS (AFP) - late"
    assert find_dateline(far) is None  # only the top of a story carries a dateline


@pytest.mark.parametrize(
    "value,iso",
    [
        ("2026-03-04T09:15:00Z", "2026-03-04"),
        ("Feb 19, 2026", "2026-02-19"),
        ("21 May 2026", "2026-05-21"),
        ("Updated 12 August 2026, 16:40 CET", "2026-08-12"),
        ("Tue, 04 Mar 2026 09:15:00 GMT", "2026-03-04"),
        ("Aug 27", None),
        ("Feb 30, 2026", None),
        ("nonsense", None),
        ("", None),
    ],
)
def test_parse_date(value, iso):
    assert parse_date(value) == iso


def test_date_paragraph():
    assert find_date_paragraph("Published: 2026-03-04") == "2026-03-04"
    assert find_date_paragraph("Updated") is None


@pytest.mark.parametrize(
    "text",
    [
        "A" * 1_000_000,
        "A, " * 350_000,
        "A " * 500_000 + "—",
        "ABC /" * 200_000,
        ("A, " * 60 + "\n") * 20_000,
        "AAAA, Aaaa " * 100_000 + "(AFP) -",
        " " * 1_000_000 + "\nx",
        "\n" + " " * 500_000 + "x\n" + " " * 500_000 + "\n\ny",
    ],
    ids=["a", "a-comma", "a-space-dash", "slashes", "many-lines", "title-case", "spaces", "space-runs"],
)
def test_no_catastrophic_backtracking(text):
    t = time.perf_counter()
    doc = document_from_text(text)
    find_dateline(text)
    assert time.perf_counter() - t < 2.0
    check_offsets(doc)


def test_ten_megabytes_is_fast(tmp_path):
    para = "The council said on Wednesday that the ferry would keep its early sailing. " * 8
    text = "Headline of a long story\n\n" + (para + "\n\n") * (10_000_000 // (len(para) + 2))
    path = write(tmp_path, "long.txt", text)
    t = time.perf_counter()
    [doc] = read_documents(path)
    assert time.perf_counter() - t < 3.0
    assert len(doc.paragraphs) > 10_000
    assert doc.paragraphs[-1].end <= len(doc.text)


# --------------------------------------------------------------------------- HTML

def assert_main_text(doc):
    """The example page's article paragraphs and title are there, none of its chrome."""
    check_offsets(doc)
    for para in HTML_PARAGRAPHS:
        assert para in doc.text
    for junk in HTML_CHROME:
        assert junk not in doc.text, junk
    assert doc.title == "Harbour council delays ferry vote"


@pytest.mark.parametrize("name", ["page.html", "page.htm", "page"])
def test_html_main_text_without_chrome(tmp_path, name):
    [doc] = read_documents(write(tmp_path, name, HTML_PAGE))
    assert_main_text(doc)
    assert doc.date == "2026-03-04"
    assert doc.dateline.text == "KESTREL BAY, Examplia, March 4, 2026 —"
    # paragraphs are separated by blank lines
    assert "\n\n" in doc.text and "\n\n\n" not in doc.text
    assert any(p.text.startswith('"We were never asked') for p in doc.paragraphs)
    assert doc.meta_get("format") == "html"


def test_html_fallback_parser(tmp_path, monkeypatch):
    monkeypatch.setattr(htmltext, "_trafilatura", lambda html: None)
    [doc] = read_documents(write(tmp_path, "page.html", HTML_PAGE))
    assert_main_text(doc)
    assert doc.dateline is not None


def test_html_small_page_and_charset(tmp_path):
    [doc] = read_documents(write(tmp_path, "s.html", "<html><body><p>Short note here.</p></body></html>"))
    assert "Short note here." in doc.text
    latin = '<html><head><meta charset="windows-1252"></head><body><p>Caf\xe9 owners said \u201cno\u201d.</p></body></html>'
    [doc] = read_documents(write(tmp_path, "l.html", latin.encode("cp1252")))
    assert "Café owners said “no”." in doc.text


@pytest.mark.parametrize(
    "html",
    [
        "<html><body><nav>Menu Home World</nav><script>x=1</script></body></html>",
        "<html><body></body></html>",
        "<<<<>>>><html",
    ],
)
def test_html_without_text(tmp_path, html):
    raises_input(write(tmp_path, "e.html", html), errors.E_NO_TEXT, "no article text found")


def test_is_chrome():
    for s in ["Accessibility links", "XS SM MD LG", "XS\nSM\nMD\nLG", "Share on Facebook", "Skip to main content", "Updated"]:
        assert htmltext.is_chrome(s), s
    assert not htmltext.is_chrome("The council said it would share the costs.")


# --------------------------------------------------------------------------- JSON

NINJS_1 = {
    "uri": "urn:example:wire:0001",
    "type": "text",
    "versioncreated": "2026-05-21T14:03:00+06:00",
    "headline": "Talks on reservoir end without deal",
    "copyrightholder": "Example Wire Service",
    "body_text": "BISHKEK, May 21 (EWS) - The talks ended without a deal.\n\n\"We will meet again,\" the minister said.",
}
NINJS_1_HTML = {
    "guid": "ews-0002",
    "firstcreated": "2026-06-09T08:00:00Z",
    "headline": "Border post agreed",
    "body_html": "<p>STRUGA, North Macedonia (EWS) - Two states agreed a joint post.</p><p>&ldquo;This is a first,&rdquo; a minister said.</p><figure><figcaption>Caption words</figcaption></figure>",
}
NINJS_3 = {
    "uri": "urn:example:wire:0003",
    "versioncreated": "2026-09-17T06:00:00Z",
    "headlines": [{"role": "short", "value": "Fine upheld"}, {"role": "main", "value": "Court upholds record fine"}],
    "bodies": [
        {"role": "main", "contenttype": "text/html", "value": "<p>HTML version.</p>"},
        {"role": "main", "contenttype": "text/plain", "value": "SEOUL, Sept 17 (EWS) - A court upheld the fine."},
    ],
    "copyrightholder": {"name": "EWS"},
}
NINJS_3_HTML = {
    "id": "n3-html",
    "headlines": [{"value": "Dock strike begins"}],
    "bodies": [{"contenttype": "text/html", "value": "<p>GDANSK, Poland (EWS) - Dockers walked out.</p><p>Second paragraph.</p>"}],
}


@pytest.mark.parametrize(
    "obj,title,date,text_start,doc_id,agency",
    [
        (NINJS_1, "Talks on reservoir end without deal", "2026-05-21", "BISHKEK, May 21 (EWS) -", "urn:example:wire:0001", "Example Wire Service"),
        (NINJS_1_HTML, "Border post agreed", "2026-06-09", "STRUGA, North Macedonia (EWS) -", "ews-0002", None),
        (NINJS_3, "Court upholds record fine", "2026-09-17", "SEOUL, Sept 17 (EWS) -", "urn:example:wire:0003", "EWS"),
        (NINJS_3_HTML, "Dock strike begins", None, "GDANSK, Poland (EWS) -", "n3-html", None),
        ({"text": "Plain body text.", "title": "T", "date": "2026-01-02", "id": 7}, "T", "2026-01-02", "Plain body text.", "7", None),
    ],
    ids=["ninjs1", "ninjs1-html", "ninjs3", "ninjs3-html", "plain"],
)
def test_json(tmp_path, obj, title, date, text_start, doc_id, agency):
    [doc] = read_documents(write(tmp_path, "item.json", json.dumps(obj)))
    check_offsets(doc)
    assert doc.title == title
    assert doc.date == date
    assert doc.text.startswith(text_start)
    assert doc.meta_get("id") == doc_id
    assert doc.meta_get("agency") == agency
    assert "Caption words" not in doc.text
    assert "<p>" not in doc.text


def test_ninjs_html_paragraphs(tmp_path):
    [doc] = read_documents(write(tmp_path, "item.json", json.dumps(NINJS_1_HTML)))
    assert [p.text for p in doc.paragraphs] == [
        "STRUGA, North Macedonia (EWS) - Two states agreed a joint post.",
        "“This is a first,” a minister said.",
    ]


@pytest.mark.parametrize(
    "content,code,problem",
    [
        ("nonsense", errors.E_BAD_JSON, "JSON: Expecting value at line 1 column 1"),
        ('{"headline": "No body"}', errors.E_NO_TEXT, "no article text found"),
        ('{"text": "   "}', errors.E_NO_TEXT, "no article text found"),
        ('"just a string"', errors.E_FORMAT, "expected an object"),
        ("[" * 100_000 + "]" * 100_000, errors.E_BAD_JSON, "JSON"),
        ('{"text": "unterminated', errors.E_BAD_JSON, "JSON: Unterminated string"),
    ],
)
def test_bad_json(tmp_path, content, code, problem):
    raises_input(write(tmp_path, "bad.json", content), code, problem)


def test_json_array_and_sniffing(tmp_path):
    items = [{"text": "First story."}, {"text": "Second story."}]
    path = write(tmp_path, "many.json", json.dumps(items))
    docs = read_documents(path)
    assert [d.text for d in docs] == ["First story.", "Second story."]
    assert [d.path for d in docs] == [path + "#1", path + "#2"]
    [doc] = read_documents(write(tmp_path, "noext", json.dumps(NINJS_1)))
    assert doc.title == NINJS_1["headline"]
    [doc] = read_documents(write(tmp_path, "plain", "Just words.\n"))
    assert doc.text == "Just words.\n"


# --------------------------------------------------------------------------- JSON lines

def test_jsonl_one_bad_line(tmp_path):
    lines = [
        json.dumps({"text": "First story text.", "title": "One", "id": "a1"}),
        '{"text": broken',
        "",
        json.dumps({"text": "Third story text.", "date": "2026-02-03"}),
        json.dumps({"title": "no text here"}),
    ]
    path = write(tmp_path, "items.jsonl", "\n".join(lines) + "\n")
    items = list(iter_documents(path))
    docs = [i for i in items if isinstance(i, Document)]
    errs = [i for i in items if isinstance(i, InputError)]
    assert [d.path for d in docs] == [f"{path}#1", f"{path}#4"]
    assert docs[0].title == "One" and docs[0].meta_get("id") == "a1"
    assert docs[1].date == "2026-02-03"
    assert [(e.path, e.code) for e in errs] == [(f"{path}#2", errors.E_BAD_JSON), (f"{path}#5", errors.E_NO_TEXT)]
    assert errs[0].problem.startswith("JSON: Expecting value at line 1 column")
    # read_documents skips the bad lines
    assert [d.path for d in read_documents(path)] == [f"{path}#1", f"{path}#4"]


def test_jsonl_undecodable_line_spoils_only_itself(tmp_path):
    data = b'{"text": "ok one"}\n{"text": "bad \xff"}\n{"text": "ok two"}\n'
    path = write(tmp_path, "items.jsonl", data)
    items = list(iter_documents(path))
    assert isinstance(items[1], InputError) and items[1].code == errors.E_UNDECODABLE
    assert items[1].path == f"{path}#2"
    assert [d.text for d in items if isinstance(d, Document)] == ["ok one", "ok two"]


def test_jsonl_all_bad_raises_first(tmp_path):
    path = write(tmp_path, "bad.jsonl", "nope\n{also bad\n")
    raises_input(path, errors.E_BAD_JSON, "JSON: Expecting value", where="#1")


def test_jsonl_crlf(tmp_path):
    path = write(tmp_path, "crlf.jsonl", '{"text": "a\\r\\nb"}\r\n{"text": "c"}\r\n')
    docs = read_documents(path)
    assert [d.text for d in docs] == ["a\nb", "c"]


# --------------------------------------------------------------------------- properties

_DATELINE_ALPHABET = st.sampled_from(
    list("ABCMOSWÅØ abc,.-—–/()\n\r\t 0123456789") + ["Aug", "May 21", "(Reuters)", " - ", "/TASS/.", "\n\n", "2026"]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), st.lists(_DATELINE_ALPHABET, max_size=60).map("".join)))
def test_document_from_text_never_raises(text):
    doc = document_from_text(text)
    check_offsets(doc)
    assert doc.date is None or len(doc.date) == 10
    assert doc.text == text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n") or text.startswith("\ufeff")


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_documents_or_input_error(tmp_path_factory, data):
    d = tmp_path_factory.mktemp("b")
    for ext in (".txt", ".html", ".json", ".jsonl", ""):
        path = d / f"f{ext}"
        path.write_bytes(data)
        try:
            for item in iter_documents(path):
                assert isinstance(item, (Document, InputError))
                if isinstance(item, Document):
                    check_offsets(item)
        except InputError:
            pass
