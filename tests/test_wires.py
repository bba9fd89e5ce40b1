"""The wire archive: readers for every format, idempotent ingest, corrected items,
a kill in the middle of an ingest, and the CLI. No spaCy: ingest runs with
``pipeline=False`` (sentences only) or a stub pipeline."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from attribution.wires.ingest import Ingester, split_sentences
from attribution.wires.readers import Skipped, WireItem, read_wire_file, read_wires
from attribution.wires.store import SQLiteWireStore

ROOT = Path(__file__).resolve().parent.parent

BODY = (
    "NORRVIK, March 3 (AFP) - Dockers in Norrvik stopped work on Tuesday.\n\n"
    '"We will not go back until the cranes plan is withdrawn," said guild leader Anton Brekke.\n\n'
    "The Kessel Harbour Board said talks would resume on Friday."
)


def txt_wire(path: Path, *, agency="AFP", date="2026-03-03", headline="Dockers strike in Norrvik",
             body=BODY, id_: str = "") -> Path:
    head = f"Agency: {agency}\nDate: {date}\nHeadline: {headline}\n"
    if id_:
        head += f"ID: {id_}\n"
    path.write_text(head + "\n" + body + "\n", encoding="utf-8")
    return path


def items_of(path) -> list:
    return list(read_wire_file(path))


# ----------------------------------------------------------------------------- readers


def test_text_with_headers(tmp_path):
    p = txt_wire(tmp_path / "a.txt", id_="afp-001")
    [it] = items_of(p)
    assert isinstance(it, WireItem)
    assert (it.id, it.agency, it.date, it.headline) == ("afp-001", "AFP", "2026-03-03", "Dockers strike in Norrvik")
    assert it.body.startswith("NORRVIK") and it.body.rstrip().endswith("Friday.")
    assert it.document.text == it.body


def test_text_without_id_gets_a_stable_content_id(tmp_path):
    a = items_of(txt_wire(tmp_path / "a.txt"))[0]
    b = items_of(txt_wire(tmp_path / "b.txt"))[0]
    assert a.id == b.id and a.id.startswith("sha256:")
    c = items_of(txt_wire(tmp_path / "c.txt", headline="Another headline"))[0]
    assert c.id != a.id


def test_ninjs_1_and_3(tmp_path):
    n1 = {"uri": "urn:x:1", "type": "text", "headline": "Dockers strike", "body_text": BODY,
          "versioncreated": "2026-03-03T10:00:00Z", "copyrightholder": "AP", "language": "en"}
    n3 = {"uri": "urn:x:3", "type": "text", "headlines": [{"value": "Dockers strike", "role": "main"}],
          "bodies": [{"value": BODY, "contenttype": "text/plain"}], "versioncreated": "2026-03-03T10:00:00Z",
          "copyrightholder": "Reuters"}
    (tmp_path / "n1.json").write_text(json.dumps(n1))
    (tmp_path / "n3.json").write_text(json.dumps(n3))
    [a] = items_of(tmp_path / "n1.json")
    [b] = items_of(tmp_path / "n3.json")
    assert (a.id, a.agency, a.date, a.headline, a.language) == ("urn:x:1", "AP", "2026-03-03", "Dockers strike", "en")
    assert (b.id, b.agency, b.date) == ("urn:x:3", "Reuters", "2026-03-03")
    assert "Anton Brekke" in b.body


def test_ninjs_withheld_is_skipped_with_a_note(tmp_path):
    (tmp_path / "w.json").write_text(json.dumps({"uri": "urn:x:9", "pubstatus": "withheld", "body_text": BODY}))
    [s] = items_of(tmp_path / "w.json")
    assert isinstance(s, Skipped) and "withheld" in s.reason and not s.error


def test_jsonl_bad_line_skipped_rest_read(tmp_path):
    lines = [
        json.dumps({"id": "j1", "agency": "TASS", "date": "2026-03-03", "headline": "h1", "body": BODY}),
        "{not json",
        json.dumps({"id": "j2", "agency": "TASS", "date": "2026-03-03", "headline": "h2", "text": BODY + " More."}),
        json.dumps({"id": "j3", "agency": "TASS"}),  # no text
    ]
    (tmp_path / "w.jsonl").write_text("\n".join(lines) + "\n")
    out = items_of(tmp_path / "w.jsonl")
    assert [o.id for o in out if isinstance(o, WireItem)] == ["j1", "j2"]
    bad = [o for o in out if isinstance(o, Skipped)]
    assert [b.source.rsplit("#", 1)[1] for b in bad] == ["2", "4"]


def test_html_wire(tmp_path):
    html = ("<html><head><title>Dockers strike in Norrvik</title></head><body><nav>Home | News</nav>"
            "<article><h1>Dockers strike in Norrvik</h1>"
            + "".join(f"<p>{p}</p>" for p in BODY.split("\n\n")) + "</article></body></html>")
    (tmp_path / "w.html").write_text(html)
    [it] = items_of(tmp_path / "w.html")
    assert "Anton Brekke" in it.body and "Home | News" not in it.body


def test_bad_files_are_skipped_the_rest_goes_in(tmp_path):
    txt_wire(tmp_path / "good.txt")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "broken.json").write_text("{")
    out = list(read_wires([tmp_path]))
    good = [o for o in out if isinstance(o, WireItem)]
    bad = {Path(o.source).name: o.reason for o in out if isinstance(o, Skipped)}
    assert len(good) == 1
    assert set(bad) == {"binary.txt", "empty.txt", "broken.json"}
    assert all("\n" not in r for r in bad.values())


def test_sentences_split():
    text = 'He said the U.S. plan failed. "We are ready," she said. Talks resume on Jan. 4 in Oslo.'
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == [
        "He said the U.S. plan failed.", '"We are ready," she said.', "Talks resume on Jan. 4 in Oslo."]


# ----------------------------------------------------------------------------- ingest


def store_at(tmp_path) -> SQLiteWireStore:
    return SQLiteWireStore(tmp_path / "wires.db")


def test_ingest_is_idempotent(tmp_path):
    d = tmp_path / "wires"
    d.mkdir()
    txt_wire(d / "a.txt")
    txt_wire(d / "copy-of-a.txt")  # the same item in two files
    txt_wire(d / "b.txt", headline="Second story", agency="AP")
    with store_at(tmp_path) as s:
        r1 = Ingester(s, pipeline=False).ingest([d])
        assert (r1.ingested, r1.unchanged) == (2, 1)
        n_sent = s.stats()["sentences"]
        r2 = Ingester(s, pipeline=False).ingest([d])
        assert (r2.ingested, r2.updated, r2.unchanged) == (0, 0, 3)
        assert s.count() == 2 and s.stats()["sentences"] == n_sent
        assert s.integrity_check() == []


def test_corrected_item_replaces_the_old_version(tmp_path):
    d = tmp_path / "wires"
    d.mkdir()
    txt_wire(d / "a.txt", id_="afp-7")
    with store_at(tmp_path) as s:
        Ingester(s, pipeline=False).ingest([d])
        assert s.search_sentences('"Friday"')
        txt_wire(d / "a.txt", id_="afp-7", body=BODY.replace("Friday", "Saturday"))
        r = Ingester(s, pipeline=False).ingest([d])
        assert (r.ingested, r.updated) == (0, 1)
        assert s.count() == 1
        assert "Saturday" in s.get_item("afp-7").body
        assert not s.search_sentences('"Friday"')  # old FTS rows are gone
        assert s.search_sentences('"Saturday"')
        assert s.integrity_check() == []


def test_quotes_from_the_pipeline_are_stored(tmp_path):
    from attribution.model import Analysis, Quote, Span, Speaker

    class OneQuote:
        def analyse_many(self, docs):
            for doc in docs:
                i = doc.text.index("We will not")
                j = doc.text.index(",", i)
                q = Quote("q1", "direct", (Span.of(doc.text, i, j),), speaker=Speaker("Anton Brekke", "person"))
                yield Analysis(doc, (q,))

    txt_wire(tmp_path / "a.txt")
    with store_at(tmp_path) as s:
        Ingester(s, pipeline=OneQuote()).ingest([tmp_path / "a.txt"])
        [q] = s.search_quotes('"cranes"')
        assert q.speaker == "Anton Brekke" and q.kind == "direct"
        assert s.get_item(q.item_id).body[q.start : q.end] == q.text


KILL_SCRIPT = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from attribution.wires.ingest import Ingester
    from attribution.wires.store import SQLiteWireStore
    s = SQLiteWireStore({db!r})
    Ingester(s, pipeline=False, batch_size=8).ingest([{src!r}])
    print("done")
""")


def test_kill_mid_ingest_then_rerun(tmp_path):
    n = 1500
    src = tmp_path / "big.jsonl"
    with src.open("w") as f:
        for i in range(n):
            body = f"NORRVIK, March 3 - Item {i} about the strike. " + " ".join(
                f"Sentence {k} of item {i} says the talks go on." for k in range(12))
            f.write(json.dumps({"id": f"item-{i}", "agency": "AFP", "date": "2026-03-03",
                                "headline": f"Story {i}", "body": body}) + "\n")
    db = tmp_path / "wires.db"
    script = KILL_SCRIPT.format(root=str(ROOT), db=str(db), src=str(src))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 60
        seen = 0
        while time.time() < deadline and proc.poll() is None:
            if db.exists():
                try:
                    with SQLiteWireStore(db) as probe:
                        seen = probe.count()
                except Exception:
                    seen = 0
                if seen >= 40:
                    break
            time.sleep(0.02)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    with SQLiteWireStore(db) as s:
        assert s.integrity_check() == []
        partial = s.count()
        assert 0 < partial < n  # killed half-way
        assert partial % 8 == 0  # whole batches only
        r = Ingester(s, pipeline=False).ingest([src])
        assert r.ingested == n - partial and r.unchanged == partial
        assert s.count() == n
        ids = [row[0] for row in s.conn.execute("SELECT id FROM items")]
        assert len(ids) == len(set(ids)) == n
        assert s.integrity_check() == []


# ----------------------------------------------------------------------------- archive + CLI


def test_archive_from_folder_checks_an_article(tmp_path):
    from attribution.model import Analysis, Document, Quote, Span, Speaker
    from attribution.wires import WireArchive

    d = tmp_path / "wires"
    d.mkdir()
    txt_wire(d / "a.txt")
    text = ("Norrvik dockers strike\n\nAnton Brekke of the Dockers' Guild of Norrvik said the Kessel "
            "Harbour Board had ignored them. Talks at the Kessel Harbour Board in Norrvik resume Friday.\n\n"
            '"We will not go back until the cranes plan is withdrawn," Brekke said.')
    doc = Document(text=text, path="a.txt", title="Norrvik dockers strike", date="2026-03-03")
    i = text.index("We will not")
    q = Quote("q1", "direct", (Span.of(text, i, text.index(",", i)),), speaker=Speaker("Anton Brekke", "person"))
    with WireArchive.from_folder(d, pipeline=False) as arch:
        a = arch.check(Analysis(doc, (q,)))
        # no quotes stored (pipeline off): the wire sentence confirms it, speaker from the sentence
        assert a.checked[0].verdict == "confirmed"
        path = arch._tempdir
    assert not Path(path).exists()


@pytest.fixture
def runner():
    pytest.importorskip("typer.testing")
    from typer.testing import CliRunner

    return CliRunner()


def _app():
    try:
        from attribution.cli import app
    except ImportError:  # pragma: no cover
        pytest.skip("attribution.cli not there")
    return app


def test_cli_ingest_stats_search(tmp_path, runner, stub_pipeline):
    app = _app()
    d = tmp_path / "wires"
    d.mkdir()
    txt_wire(d / "a.txt")
    (d / "bad.txt").write_bytes(b"\x00\x00")
    db = tmp_path / "w.db"
    r = runner.invoke(app, ["wires", "ingest", str(d), "--db", str(db), "--no-embed", "-q"])
    assert r.exit_code == 3, r.output  # one unreadable file, the other went in
    assert "ingested 1" in r.output and "bad.txt" in r.output
    r = runner.invoke(app, ["wires", "ingest", str(d / "a.txt"), "--db", str(db), "--no-embed", "-q"])
    assert r.exit_code == 0 and "unchanged 1" in r.output
    r = runner.invoke(app, ["wires", "stats", "--db", str(db), "--format", "json"])
    assert r.exit_code == 0
    st = json.loads(r.stdout)
    assert st["items"] == 1 and st["per_agency"] == {"AFP": 1}
    r = runner.invoke(app, ["wires", "search", "cranes plan", "--db", str(db), "--format", "jsonl"])
    assert r.exit_code == 0 and "cranes plan" in r.stdout
    r = runner.invoke(app, ["wires", "stats", "--db", str(tmp_path / "missing.db")])
    assert r.exit_code == 2


def test_cli_check_exit_codes(tmp_path, runner, stub_pipeline):
    app = _app()
    d = tmp_path / "wires"
    d.mkdir()
    txt_wire(d / "a.txt")
    art = tmp_path / "story.txt"
    art.write_text("Norrvik dockers strike\n\nAnton Brekke of the Dockers' Guild of Norrvik spoke at the "
                   "Kessel Harbour Board in Norrvik.\n\n"
                   '"We will not go back until the cranes plan is withdrawn," Brekke said.\n', encoding="utf-8")
    other = tmp_path / "other.txt"
    other.write_text("Other story\n\nAnton Brekke of the Dockers' Guild of Norrvik spoke at the Kessel "
                     "Harbour Board in Norrvik.\n\n\"Nobody asked us anything,\" Brekke said.\n", encoding="utf-8")
    # the stub pipeline gives quotes no speaker: the sentence names none either, so the
    # wire's verbatim text confirms it
    r = runner.invoke(app, ["check", str(art), "--wires", str(d), "--format", "json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["schema"] == "attribution.check/1"
    assert out["quotes"][0]["verdict"] == "confirmed"
    assert out["summary"]["confirmed"] == 1
    r = runner.invoke(app, ["check", str(other), "--wires", str(d), "--format", "jsonl"])
    assert r.exit_code == 1  # unverified
    r = runner.invoke(app, ["check", str(other), "--wires", str(d), "--fail-on", "altered"])
    assert r.exit_code == 0
    r = runner.invoke(app, ["check", str(art), "--wires", str(d), "--fail-on", "nonsense"])
    assert r.exit_code == 2
    r = runner.invoke(app, ["check", str(tmp_path / "missing.txt"), "--wires", str(d)])
    assert r.exit_code == 2
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\x00\x01")
    r = runner.invoke(app, ["check", str(binary), str(art), "--wires", str(d), "--format", "jsonl"])
    assert r.exit_code == 3
    assert len(r.stdout.strip().splitlines()) == 1  # the readable article was still checked


def test_fast_wire_analyser_finds_quotes_and_speakers():
    from attribution.wires.fastquotes import FastWireAnalyser
    from attribution.wires.readers import make_item

    body = (
        "NORRVIK, March 3 (AFP) - Dockers in Norrvik stopped work on Tuesday.\n\n"
        '"We will not go back until the plan is withdrawn," said guild leader Anton Brekke.\n\n'
        '"The cranes can wait," Brekke said. "Our families cannot."\n\n'
        "Harbour Board chairwoman Liv Sandvik said the terminal would reopen on Friday.\n\n"
        "According to the Kessel Harbour Board, 40 ships were waiting at anchor.\n\n"
        "Sandvik called the strike \"a costly mistake for everyone\" and left.\n\n"
        "Warsaw has said it will not intervene in the dispute."
    )
    item = make_item(body=body, agency="AFP", date="2026-03-03", headline="h")
    a = FastWireAnalyser().analyse(item.document)
    got = [(q.kind, q.speaker.name, q.text) for q in a.quotes]
    for q in a.quotes:
        for p in q.parts:
            assert item.body[p.start : p.end] == p.text
    assert ("direct", "Anton Brekke", "We will not go back until the plan is withdrawn,") in got
    assert ("split", "Anton Brekke", "The cranes can wait, ... Our families cannot.") in got
    assert ("indirect", "Liv Sandvik", "the terminal would reopen on Friday") in got
    assert ("indirect", "Kessel Harbour Board", "40 ships were waiting at anchor") in got
    assert ("partial", "Liv Sandvik", "a costly mistake for everyone") in got
    assert ("indirect", "Government of Poland", "it will not intervene in the dispute") in got


def test_event_items_by_window_scan_match_the_full_text_route(tmp_path):
    """The date-window scan (small windows) and the full-text route find the same items."""
    from attribution.match.verdict import norm_name
    from attribution.wires.store import ItemRecord, StoredItem

    store = store_at(tmp_path)  # names are stored folded, as ingest stores them
    people = [["Ana Ruiz", "Port of Norrvik"], ["Ana Ruiz", "Tomas Vega", "Port of Norrvik"],
              ["Tomas Vega"], ["Łukasz Wróblewski", "Port of Norrvik"], ["Ana Ruiz"]]
    dates = ["2026-03-03", "2026-03-04", "2026-03-03", "2026-03-02", "2026-05-20"]
    records = [
        ItemRecord(StoredItem(id=f"w{n}", agency="AFP", date=d, headline="h", body="b", url="",
                              language="", byline="", content_hash=f"c{n}", source="",
                              names=tuple(norm_name(x) for x in ns)), quotes=(), sentences=())
        for n, (ns, d) in enumerate(zip(people, dates))
    ]
    store.put_many(records)
    names = ["Ana Ruiz", "Port of Norrvik", "Lukasz Wroblewski"]
    window = store.event_items(names, date_from="2026-03-01", date_to="2026-03-05")
    assert {it.id for it in window} == {"w0", "w1", "w3"}  # w2 shares no name, w4 is another day
    store.WINDOW_SCAN_MAX = -1  # force the full-text route
    fts = store.event_items(names, date_from="2026-03-01", date_to="2026-03-05")
    assert {it.id for it in fts} == {it.id for it in window}
    store.close()
