"""The review page (attribution.report.html) on hand-built checked analyses: no model.

The browser test loads the page in headless Chromium (``chromium`` from Debian; skipped
when there is none) and checks the DOM as the browser built it: the highlighted quotes
and their verdicts are there, and nothing from the content ran or became an element.
It keeps a screenshot in pytest's tmp dir, copied to ``$ARTIFACTS_DIR`` when set. With
``ATTRIBUTION_REQUIRE_BROWSER=1`` (CI) a missing browser fails the test instead.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attribution.model import (
    VERDICTS, Analysis, CheckedQuote, Difference, Document, Evidence, Quote, Span, Speaker,
)
from attribution.report.html import (
    _annotate, _Mark, quote_anchor, render_review, safe_id, word_diff, write_review,
)

PWN_SCRIPT = "<script>document.title='pwned'</script>"
PWN_IMG = "<img src=x onerror=\"document.title='pwned'\">"
PAGE_TITLE_MARK = "Port talks stall"

TEXT = (
    f"Port talks stall {PWN_SCRIPT}\n\n"
    "HALVIK, March 12 – “We will not accept 40 more days of delays,” Marta Lindqvist, the "
    "transport minister, said. She added that the ferry service “had been suspended”.\n\n"
    f"“Nobody {PWN_IMG} wants this,” she said, “to go on.”\n\n"
    "According to the Coastal Freight Board, about 1,200 jobs were at risk. "
    "Read more: <a href=\"javascript:alert(1)\">here</a>\n"
)


def find(sub: str, text: str = TEXT) -> Span:
    start = text.index(sub)
    return Span.of(text, start, start + len(sub))


def build() -> Analysis:
    lind = Speaker("Marta Lindqvist", "person", "name", find("Marta Lindqvist"), 0.97)
    she = Speaker("Marta Lindqvist", "person", "pronoun", find("She"), 0.8)
    q1 = Quote("q1", "direct", (find("We will not accept 40 more days of delays,"),), cue=find("said"),
               speaker=lind)
    q2 = Quote("q2", "indirect", (find("the ferry service “had been suspended”"),), cue=find("added"),
               speaker=she)
    q3 = Quote("q3", "partial", (find("had been suspended"),), cue=find("added"), speaker=she, within="q2")
    at = TEXT.index("she said")
    q4 = Quote("q4", "split", (find(f"Nobody {PWN_IMG} wants this,"), find("to go on.")),
               cue=Span.of(TEXT, at + 4, at + 8),
               speaker=Speaker("Marta Lindqvist", "person", "pronoun", Span.of(TEXT, at, at + 3), 0.8))
    q5 = Quote("q5", "indirect", (find("about 1,200 jobs were at risk"),), cue=find("According to"),
               speaker=Speaker("Coastal Freight Board", "organization", "according_to",
                               find("the Coastal Freight Board"), 0.9))
    ev1 = Evidence("tass-1", "TASS", "2026-03-12", f"Minister: no deal {PWN_SCRIPT}",
                   "“We will not accept 14 more days of delays,” Lindqvist told reporters.",
                   0, 60, "Marta Lindqvist", 91.0, "altered", (Difference("replace", "40", "14", "number"),))
    ev1b = Evidence("afp-9", f"AFP\">{PWN_IMG}", "2026-03-12", "javascript:alert(1)",
                    "We will accept 40 more days of delays", 0, 40, "Marta Lindqvist", 88.0, "altered",
                    (Difference("delete", "not", "", "negation"),))
    ev2 = Evidence("ap-2", "AP", "2026-03-11", "Ferry suspended",
                   "the ferry service had been suspended since Monday", 0, 45, "Marta Lindqvist",
                   97.0, "confirmed", ())
    ev4 = Evidence("rt-3", "Reuters", "2026-03-12", "Strike", f"Nobody {PWN_IMG} wants this to go on",
                   0, 30, "Henrik Vale", 90.0, "misattributed",
                   (Difference("replace", "Marta Lindqvist", "Henrik Vale", "speaker"),))
    checked = (
        CheckedQuote(q1, "altered", (ev1, ev1b)),
        CheckedQuote(q2, "confirmed", (ev2,)),
        CheckedQuote(q3, "paraphrased", (ev2,)),
        CheckedQuote(q4, "misattributed", (ev4,)),
        CheckedQuote(q5, "unverified", ()),
    )
    for cq in checked:
        for p in cq.quote.parts:
            assert TEXT[p.start:p.end] == p.text
    doc = Document(text=TEXT, path="stories/<evil>.txt", title=f"{PAGE_TITLE_MARK} {PWN_SCRIPT}",
                   date="2026-03-12")
    return Analysis(document=doc, quotes=tuple(cq.quote for cq in checked), checked=checked)


EXPECTED = {"q1": "altered", "q2": "confirmed", "q3": "paraphrased", "q4": "misattributed", "q5": "unverified"}


class Tree(HTMLParser):
    """Collects elements (tag, attrs) and checks that every element is closed in order."""

    VOID = {"meta", "br", "img", "input", "link", "hr", "rect", "path"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> Tree:
    t = Tree()
    t.feed(page)
    t.close()
    return t


# --------------------------------------------------------------------------- the page as written


def test_page_is_well_formed_static_and_escaped():
    page = render_review(build())
    tree = parse(page)
    assert tree.errors == [] and tree.stack == []
    tags = {tag for tag, _ in tree.elements}
    # no script, no image, no external anything
    assert not tags & {"script", "img", "iframe", "object", "embed", "link", "base", "form"}
    for tag, attrs in tree.elements:
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        for key in ("href", "src"):
            if key in attrs:
                assert attrs[key].startswith("#") or re.match(r"^[\w./-]+(#[\w-]+)?$", attrs[key]), attrs
        assert "javascript:" not in attrs.get("href", "")
    # the hostile content is there, as text
    text = "".join(tree.text)
    assert PWN_SCRIPT in text and PWN_IMG in text and "javascript:alert(1)" in text
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "Content-Security-Policy" in page and "script-src 'none'" in page
    # no external references at all
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", page)
    assert "@import" not in page and "url(" not in page


def test_quotes_highlighted_with_verdict_label_and_speaker():
    a = build()
    page = render_review(a)
    tree = parse(page)
    marks = [(attrs["class"], attrs.get("id")) for tag, attrs in tree.elements if tag == "mark"]
    for qid, verdict in EXPECTED.items():
        anchor = quote_anchor(1, qid)
        ids = [i for c, i in marks if i and i.startswith(anchor + "-t")]
        assert ids, qid
        assert all(f"v-{verdict}" in c for c, i in marks if i in ids)
        # a label (icon + word + speaker) that links to the details: colour is not the only signal
        badge = [attrs for tag, attrs in tree.elements
                 if tag == "a" and attrs.get("href") == f"#{anchor}" and "badge" in attrs.get("class", "")]
        assert badge and verdict.capitalize() in badge[0]["title"]
        assert "Marta Lindqvist" in badge[0]["title"] or "Coastal Freight Board" in badge[0]["title"]
        # the details exist, with the id the links use
        assert any(attrs.get("id") == anchor for _, attrs in tree.elements)
    # the split quote has both parts highlighted
    assert {i for _, i in marks if i and i.startswith(quote_anchor(1, "q4"))} == {
        quote_anchor(1, "q4") + "-t1", quote_anchor(1, "q4") + "-t2"}
    # how the speaker was resolved is on hover and in the details
    assert "pronoun resolved" in page and "named at the cue" in page
    # every quote's mark text is the quote's span, and the text outside the tags is the article
    assert html.unescape(re.sub(r"<[^>]+>", "", page)).count("We will not accept 40 more days") >= 1


def test_summary_counts_and_failing_first():
    page = render_review(build())
    summary = page[page.index('id="summary"'):page.index('class="art"')]
    assert "FAIL" in summary and "3 of 5 quotes fail" in summary
    for v, n in {"Confirmed": 1, "Paraphrased": 1, "Altered": 1, "Misattributed": 1, "Unverified": 1}.items():
        assert re.search(rf"{v}: <b>{n}</b>", summary), v
    order = re.findall(r'<a href="#a1-(q\d)">', summary[summary.index("<ol"):])
    assert order[:3] == ["q1", "q4", "q5"] and set(order[3:]) == {"q2", "q3"}


def changed(fragment: str) -> set[tuple[str, str, str]]:
    """(del|ins, kind, the words shown) of every marked change (screen-reader text left out)."""
    out = set()
    for tag, kind, inner in re.findall(r'<(del|ins) class="k-(\w+)"[^>]*>(.*?)</\1>', fragment):
        words = re.sub(r'<span class="sr">.*?</span>', "", inner)
        out.add((tag, kind, html.unescape(re.sub(r"<[^>]+>", "", words)).strip()))
    return out


def test_diff_marks_number_and_negation():
    page = render_review(build())
    detail = page[page.index('id="a1-q1"'):page.index('id="a1-q4"')]
    # 40 -> 14: a deletion and an insertion, each tagged as a number
    assert ("del", "number", "40") in changed(detail)
    assert ("ins", "number", "14") in changed(detail)
    # "not" dropped by the wire: a deletion tagged as a negation
    assert ("del", "negation", "not") in changed(detail)
    # agency, date and headline of each wire item (escaped)
    assert "TASS" in detail and "2026-03-12" in detail and "Minister: no deal &lt;script&gt;" in detail
    assert "AFP&quot;&gt;&lt;img" in detail
    # the wire's words beyond the article's excerpt are not differences
    assert 'class="excerpt"' in detail and "Lindqvist told reporters" in detail


def test_word_diff_kinds_and_excerpt():
    chunks = word_diff("Our troops are in danger, 40 ships are waiting",
                       "He said: our troops are not in danger, 14 ships are waiting there.",
                       [Difference("replace", "40", "14", "number"), Difference("insert", "", "not", "negation")])
    ops = [(c.op, c.article.strip(), c.wire.strip(), c.kind) for c in chunks if c.op != "equal"]
    assert ops == [("excerpt", "", "He said:", ""), ("insert", "", "not", "negation"),
                   ("replace", "40", "14", "number"), ("excerpt", "", "there.", "")]
    # joined back, each side is its text
    assert "".join(c.article for c in chunks) == "Our troops are in danger, 40 ships are waiting"
    # without the checker's differences the kind is guessed
    guess = {c.kind for c in word_diff("we will never stop", "we will not stop") if c.op != "equal"}
    assert guess == {"negation"}
    assert {c.kind for c in word_diff("cost 3 million", "cost 5 million") if c.op != "equal"} == {"number"}
    assert word_diff("", "") == []


def test_unchecked_and_several_articles():
    a = build()
    plain = Analysis(document=a.document, quotes=a.quotes)  # `quotes`: no verdicts
    page = render_review(plain)
    assert "Not checked" in page and "Editorial gate" not in page
    two = render_review([a, Analysis(document=Document(text="Nothing to see.", path="b.txt"), quotes=(),
                                     checked=())])
    tree = parse(two)
    assert tree.errors == []
    ids = [attrs["id"] for _, attrs in tree.elements if "id" in attrs]
    assert len(ids) == len(set(ids)), "ids are unique on a page of several articles"
    assert 'href="#a1"' in two and 'href="#a2"' in two and "No quotes found." in two


def test_write_review_to_path_is_atomic(tmp_path):
    target = tmp_path / "sub" / "review.html"
    assert write_review(build(), target) == 1
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in target.parent.iterdir()] == ["review.html"]


def test_safe_id():
    assert safe_id('q1"><img') == "q1-img"
    assert safe_id("") == "x"


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="ab<>&\"' \n", min_size=1, max_size=40),
       st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=6))
def test_annotate_nests_any_spans_and_keeps_the_text(text, pairs):
    marks = [_Mark(min(s, e), max(s, e), f'<mark id="m{n}">', "<mark>", "</mark>", n)
             for n, (s, e) in enumerate(pairs)]
    out = _annotate(text, marks, {len(text): ["<a href=\"#x\">label</a>"]})
    tree = parse(f"<div>{out}</div>")
    assert tree.errors == [] and tree.stack == []
    assert html.unescape(re.sub(r"<[^>]+>", "", out)) == text + "label"


# --------------------------------------------------------------------------- in a real browser


def find_chromium() -> str | None:
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome",
                 "google-chrome-stable"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def chromium(exe: str, tmp: Path, *args: str) -> subprocess.CompletedProcess:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-extensions", "--hide-scrollbars", f"--user-data-dir={tmp / 'chromium-profile'}"]
    return subprocess.run([exe, *flags, *args], capture_output=True, text=True, timeout=120)


def keep_artifact(path: Path) -> None:
    dest = os.environ.get("ARTIFACTS_DIR")
    if dest:
        Path(dest).mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, Path(dest) / path.name)


def test_review_page_in_headless_chromium(tmp_path):
    exe = find_chromium()
    if exe is None:
        if os.environ.get("ATTRIBUTION_REQUIRE_BROWSER"):  # set by .ci/run after installing it
            pytest.fail("ATTRIBUTION_REQUIRE_BROWSER is set but no chromium was found")
        pytest.skip("no chromium on this machine (Debian: apt-get install chromium)")
    page = tmp_path / "review.html"
    write_review(build(), page)
    url = page.resolve().as_uri()

    dom = chromium(exe, tmp_path, "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    tree = parse(dom.stdout)
    tags = [tag for tag, _ in tree.elements]
    # nothing from the content became an element, nothing ran
    assert "script" not in tags and "img" not in tags
    titles = [t for t in re.findall(r"<title>(.*?)</title>", dom.stdout, re.S)]
    assert titles and "pwned" not in titles[0].replace("document.title='pwned'", "")
    assert html.unescape(titles[0]).startswith(f"Quote review: {PAGE_TITLE_MARK} {PWN_SCRIPT}")
    assert not any(k.startswith("on") for _, attrs in tree.elements for k in attrs)
    # the highlighted quotes and their verdicts as the browser built them
    marks = {attrs["id"]: attrs["class"] for tag, attrs in tree.elements if tag == "mark" and attrs.get("id")}
    for qid, verdict in EXPECTED.items():
        mine = [c for i, c in marks.items() if i.startswith(quote_anchor(1, qid) + "-t")]
        assert mine and all(f"v-{verdict}" in c for c in mine), (qid, marks)
    text = "".join(tree.text)
    assert PWN_SCRIPT in text and PWN_IMG in text

    shot = tmp_path / "review-page.png"
    r = chromium(exe, tmp_path, "--window-size=1280,2400", f"--screenshot={shot}", url)
    assert r.returncode == 0 and shot.exists() and shot.stat().st_size > 10_000, r.stderr[-2000:]
    keep_artifact(shot)
    # 200% zoom: half the CSS width at twice the pixels
    zoom = tmp_path / "review-page-200pct.png"
    r = chromium(exe, tmp_path, "--window-size=640,1400", "--force-device-scale-factor=2",
                 f"--screenshot={zoom}", url)
    assert r.returncode == 0 and zoom.exists()
    keep_artifact(zoom)


def test_every_verdict_has_a_style():
    page = render_review(build())
    for v in VERDICTS:
        assert f".v-{v}{{" in page
