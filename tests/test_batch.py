"""attribution.batch (run_batch), its report, and the `batch` command.

Most tests use the conftest StubPipeline (every double-quoted span is a quote; no spaCy)
against a small archive ingested with it; one test runs the real pipeline on a few tiny
articles with one worker. The texts are invented for these tests.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from attribution.batch import BatchUsageError, collect_units, run_batch, safe_name
from attribution.model import Analysis, Document
from attribution.report.batch_report import CSV_FIELDS, ReportBuilder, write_batch_report
from conftest import StubPipeline

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent

BACKGROUND = ("The strike by the Port Workers' Federation has closed Port Halvik, and the Coastal "
              "Freight Board says cargo is piling up.")
WIRES = {
    "TASS-1.txt": ("TASS", "2026-04-02", "Ferry operator warns of longer strike at Port Halvik",
                   'Henrik Vale, the harbour master, said on Thursday: "The ferries will stay in port '
                   'for at least 12 more days unless the talks resume."\n\n' + BACKGROUND),
    "AFP-1.txt": ("AFP", "2026-04-02", "Port Halvik strike enters second week",
                  '"We will not sign anything that cuts the night shift," union leader Tomasz Berezin '
                  'told reporters.\n\n' + BACKGROUND),
}
ARTICLES = {
    "desk-a/strike.txt": "Strike drags on at the port\n\nPublished 2 April 2026\n\n\"The ferries will stay "
                         "in port for at least 12 more days unless the talks resume,\" Henrik Vale, the "
                         "harbour master, said on Thursday.\n\n" + BACKGROUND + "\n",
    "desk-a/union.txt": "Union stands firm\n\nPublished 2 April 2026\n\n\"We will sign anything that cuts "
                        "the night shift,\" union leader Tomasz Berezin told reporters on Thursday.\n\n"
                        + BACKGROUND + "\n",
    "desk-b/mayor.txt": "Mayor speaks\n\nPublished 2 April 2026\n\n\"Our town has never been in better "
                        "shape,\" Ingrid Halvorsen, the mayor, said on Thursday.\n\n" + BACKGROUND + "\n",
}


def wire_text(agency, date, headline, body):
    return f"Agency: {agency}\nDate: {date}\nHeadline: {headline}\n\n{body}\n"


@pytest.fixture
def wires_dir(tmp_path) -> Path:
    d = tmp_path / "wires"
    d.mkdir()
    for name, parts in WIRES.items():
        (d / name).write_text(wire_text(*parts), encoding="utf-8")
    return d


@pytest.fixture
def stub_db(tmp_path, wires_dir) -> Path:
    """The wires ingested with the stub pipeline (no spaCy)."""
    from attribution.wires.ingest import Ingester
    from attribution.wires.store import SQLiteWireStore

    db = tmp_path / "wires.db"
    store = SQLiteWireStore(db)
    try:
        report = Ingester(store, pipeline=StubPipeline()).ingest([wires_dir])
        assert report.ingested == len(WIRES)
    finally:
        store.close()
    return db


def make_articles(root: Path, extra: dict[str, str] | None = None) -> Path:
    for rel, text in {**ARTICLES, **(extra or {})}.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return root


def stub_factory():
    """Picklable: what each pool worker calls instead of loading spaCy."""
    return StubPipeline()


class CountingStub(StubPipeline):
    pass


def results(out: Path) -> dict[str, dict]:
    return {json.loads(p.read_text(encoding="utf-8"))["batch"]["input"]: json.loads(p.read_text(encoding="utf-8"))
            for p in (out / "articles").glob("*.json")}


def mtimes(out: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in (out / "articles").glob("*.json")}


# --------------------------------------------------------------------------- inputs


def test_collect_units_folders_globs_jsonl(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    make_articles(tmp_path / "in")
    (tmp_path / "in" / ".hidden").mkdir()
    (tmp_path / "in" / ".hidden" / "x.txt").write_text("Secret\n\n\"Hidden,\" he said.\n")
    (tmp_path / "in" / "notes.md").write_text("not an article")
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"headline": "One", "body_text": "\"Yes,\" she said.", "outlet": "Daily"}) + "\n"
                    + "{not json\n\n"
                    + json.dumps({"headline": "Two", "body_text": "\"No,\" he said."}) + "\n", encoding="utf-8")
    units = collect_units(["in", "feed.jsonl", "in/desk-a/*.txt"])  # the glob repeats two files: once each
    labels = [u.label for u in units]
    assert labels == ["in/desk-a/strike.txt", "in/desk-a/union.txt", "in/desk-b/mayor.txt",
                      "feed.jsonl#1", "feed.jsonl#2", "feed.jsonl#4"]
    assert [u.group for u in units[:3]] == ["desk-a", "desk-a", "desk-b"]
    bad = units[4]
    assert bad.error is not None and "feed.jsonl#2" in bad.error[0] and bad.error[1] == "E105"
    assert units[3].doc is not None and units[3].doc.path == "feed.jsonl#1"
    assert len({u.name for u in units}) == len(units)
    assert all(u.content_hash for u in units if u.error is None)
    with pytest.raises(BatchUsageError, match="nope.txt: not found"):
        collect_units(["in", "nope.txt"])
    with pytest.raises(BatchUsageError, match="no file matches"):
        collect_units(["in/*.nothing"])


def test_safe_name():
    assert safe_name("stories/2019/a b.txt#3") == "stories__2019__a_b.txt-3"
    assert safe_name("/abs/../x/y.html") == "abs__x__y.html"
    assert safe_name("../../etc/passwd") == "etc__passwd"
    long = safe_name("d/" + "x" * 300 + ".txt", "key")
    assert len(long) <= 120 and "/" not in long


# --------------------------------------------------------------------------- a run (stub pipeline)


def test_batch_writes_results_reviews_and_report(tmp_path, stub_db):
    inp = make_articles(tmp_path / "in", {"desk-b/empty.txt": "  \n", "desk-b/bin.html": ""})
    (inp / "desk-b" / "bin.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00binary")
    out = tmp_path / "out"
    res = run_batch([inp], stub_db, out, workers=1, pipeline=StubPipeline(), progress=False, log=lambda m: None)
    assert (res.total, res.processed, res.resumed) == (5, 3, 0)
    assert sorted(f["input"].rsplit("/", 1)[-1] for f in res.failures) == ["bin.html", "empty.txt"]
    assert all(f["reason"] and f["code"].startswith("E1") for f in res.failures)

    got = results(out)
    assert len(got) == 3
    for label, r in got.items():
        assert r["schema"] == "attribution.check/1" and r["article"]["text"]
        b = r["batch"]
        assert b["input"] == label and len(b["content_hash"]) == 64
        assert (out / b["review"]).is_file()
        assert all("verdict" in q and "evidence" in q for q in r["quotes"])
    # no temporary files left
    assert not [p for p in out.rglob(".*.tmp")]

    summary = json.loads((out / "summary.json").read_text())
    assert summary["schema"] == "attribution.batch/1"
    assert summary["articles"]["total"] == 5 and summary["articles"]["unreadable"] == 2
    n_quotes = sum(len(r["quotes"]) for r in got.values())
    assert summary["quotes"]["total"] == n_quotes == 3
    assert sum(summary["quotes"][v] for v in ("confirmed", "paraphrased", "altered", "misattributed",
                                               "unverified")) == n_quotes
    assert set(summary["per_source"]) == {"desk-a", "desk-b"}

    rows = list(csv.reader((out / "quotes.csv").open(newline="", encoding="utf-8")))
    assert tuple(rows[0]) == CSV_FIELDS and len(rows) == 1 + n_quotes

    report = (out / "report.html").read_text(encoding="utf-8")
    assert "<script" not in report
    assert "empty.txt" in report and "bin.html" in report  # unreadable, listed with the reason
    for r in got.values():
        assert f'href="{r["batch"]["review"]}' in report
    review = out / next(r for r in got.values() if r["batch"]["input"].endswith("union.txt"))["batch"]["review"]
    assert 'href="../report.html"' in review.read_text(encoding="utf-8")


def test_resume_skips_done_and_force_redoes(tmp_path, stub_db, monkeypatch):
    monkeypatch.chdir(tmp_path)
    inp = make_articles(tmp_path / "in")
    out = tmp_path / "out"
    quiet = dict(workers=1, progress=False, log=lambda m: None)
    first = run_batch([inp], stub_db, out, pipeline=StubPipeline(), **quiet)
    assert first.processed == 3
    before = mtimes(out)

    stub = StubPipeline()
    again = run_batch([inp], stub_db, out, pipeline=stub, **quiet)
    assert (again.processed, again.resumed) == (0, 3) and stub.seen == []
    assert mtimes(out) == before
    assert json.loads((out / "summary.json").read_text())["articles"]["total"] == 3

    # a changed article is done again, the others not
    (inp / "desk-b" / "mayor.txt").write_text(ARTICLES["desk-b/mayor.txt"].replace("never", "rarely"))
    stub = StubPipeline()
    changed = run_batch([inp], stub_db, out, pipeline=stub, **quiet)
    assert (changed.processed, changed.resumed) == (1, 2)
    assert [d.path for d in stub.seen] == ["in/desk-b/mayor.txt"]

    # a damaged result file is not trusted
    victim = next((out / "articles").glob("*strike*.json"))
    victim.write_text('{"schema": "attribution.check/1", "quo')
    stub = StubPipeline()
    assert run_batch([inp], stub_db, out, pipeline=stub, **quiet).processed == 1

    stub = StubPipeline()
    forced = run_batch([inp], stub_db, out, pipeline=stub, force=True, **quiet)
    assert (forced.processed, forced.resumed) == (3, 0) and len(stub.seen) == 3


def test_pool_of_two_workers(tmp_path, stub_db):
    inp = make_articles(tmp_path / "in")
    out = tmp_path / "out"
    res = run_batch([inp], stub_db, out, workers=2, in_process=False, pipeline_factory=stub_factory,
                    progress=False, log=lambda m: None)
    assert (res.processed, res.failures) == (3, [])
    assert len(results(out)) == 3
    assert res.summary["workers"] == 2


def test_kill_half_way_then_resume(tmp_path, stub_db):
    """Killed (SIGKILL) after the first result file: a rerun does the rest, redoes none."""
    inp = tmp_path / "in"
    n = 8
    for i in range(n):
        (inp / f"a{i}.txt").parent.mkdir(parents=True, exist_ok=True)
        (inp / f"a{i}.txt").write_text(f"Story {i}\n\n\"We want {i} more buses,\" the mayor said.\n")
    out = tmp_path / "out"
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(TESTS)!r})
        from conftest import StubPipeline
        from attribution.batch import run_batch

        class Slow(StubPipeline):
            def analyse(self, doc):
                time.sleep(0.4)
                return super().analyse(doc)

        run_batch([{str(inp)!r}], {str(stub_db)!r}, {str(out)!r}, workers=1, pipeline=Slow(), progress=False)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if list((out / "articles").glob("*.json")) if (out / "articles").is_dir() else []:
                break
            if proc.poll() is not None:
                pytest.fail(f"batch ended early: {proc.stderr.read().decode()[-2000:]}")
            time.sleep(0.05)
        else:
            pytest.fail("no result file appeared")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    done_before = mtimes(out)
    assert 1 <= len(done_before) < n
    assert not (out / "report.html").exists()

    stub = StubPipeline()
    res = run_batch([inp], stub_db, out, workers=1, pipeline=stub, progress=False, log=lambda m: None)
    assert res.resumed == len(done_before)
    assert res.processed == n - len(done_before) == len(stub.seen)  # redoes none
    after = mtimes(out)
    assert len(after) == n  # loses none
    assert {k: after[k] for k in done_before} == done_before
    assert not list(out.rglob(".*.tmp"))
    assert json.loads((out / "summary.json").read_text())["articles"]["checked"] == n

    # the same results as a run that was never interrupted
    clean = tmp_path / "clean"
    run_batch([inp], stub_db, clean, workers=1, pipeline=StubPipeline(), progress=False, log=lambda m: None)
    for f in sorted((clean / "articles").glob("*.json")):
        a, b = json.loads(f.read_text()), json.loads((out / "articles" / f.name).read_text())
        assert a["quotes"] == b["quotes"], f.name
        assert a["article"] == b["article"], f.name


# --------------------------------------------------------------------------- the report alone


def result(label: str, verdicts: list[str], agency: str = "AFP", outlet: str = "") -> dict:
    quotes = []
    for n, v in enumerate(verdicts, 1):
        ev = [] if v == "unverified" else [{
            "wire_id": f"w{n}", "agency": agency, "date": "2026-01-01", "headline": "h", "text": "t",
            "start": 0, "end": 1, "speaker": "S", "similarity": 90.0, "verdict": v, "differences": []}]
        quotes.append({"id": f"q{n}", "text": f"<b>quote</b> {n}", "verdict": v, "evidence": ev,
                       "speaker": {"name": "Ann <Smith>" if n % 2 else ""}})
    return {"schema": "attribution.check/1", "article": {"path": label, "title": "T"}, "quotes": quotes,
            "batch": {"input": label, "review": f"review/{label}.html", "group": "g", "outlet": outlet}}


def test_report_from_results(tmp_path):
    rs = [result("a", ["confirmed", "altered", "unverified"], "AFP", "Daily"),
          result("b", ["misattributed", "paraphrased"], "TASS"),
          result("c", [])]
    summary = write_batch_report(tmp_path, rs, [{"input": "bad.txt", "reason": "bad.txt: file is empty [E102]",
                                                 "code": "E102"}])
    assert summary["quotes"] == {"total": 5, "confirmed": 1, "paraphrased": 1, "altered": 1,
                                 "misattributed": 1, "unverified": 1}
    assert summary["gate"] == {"fail_on": ["altered", "misattributed", "unverified"], "failing_quotes": 3,
                               "failing_articles": 2, "passed": False}
    assert summary["per_agency"]["AFP"]["differs"] == 1 and summary["per_agency"]["TASS"]["differs"] == 1
    assert summary["per_agency"]["TASS"]["paraphrased"] == 1
    assert set(summary["per_source"]) == {"Daily", "g"}
    assert summary["per_speaker"]["Ann <Smith>"]["quotes"] == 3
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<b>quote" not in page and "&lt;b&gt;quote&lt;/b&gt; 2" in page
    assert 'href="review/a.html#a1-q2"' in page and 'href="review/b.html#a1-q1"' in page
    assert page.count("<svg") >= 3 and "bad.txt: file is empty" in page
    # worst first: altered before misattributed before unverified
    i = [page.index(f'href="review/{a}.html#a1-{q}"') for a, q in (("a", "q2"), ("b", "q1"), ("a", "q3"))]
    assert i == sorted(i)
    rows = list(csv.reader((tmp_path / "quotes.csv").open(newline="", encoding="utf-8")))
    assert rows[1] == ["a", "q1", "<b>quote</b> 1", "Ann <Smith>", "confirmed", "w1", "AFP", "90.0"]


def test_report_builder_with_fail_on():
    rb = ReportBuilder(fail_on=("altered",))
    rb.add(result("a", ["altered", "unverified"]))
    assert rb.summary()["gate"]["failing_quotes"] == 1


# --------------------------------------------------------------------------- the command


def batch_cli(args, cwd):
    return subprocess.run([sys.executable, "-m", "attribution.cli_batch", "batch", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_cli_usage_errors(tmp_path, stub_db):
    r = batch_cli(["missing-dir", "--wires", str(stub_db), "--out", str(tmp_path / "o")], tmp_path)
    assert r.returncode == 2 and "missing-dir: not found" in r.stderr and "Traceback" not in r.stderr
    make_articles(tmp_path / "in")
    r = batch_cli(["in", "--wires", str(stub_db)], tmp_path)
    assert r.returncode == 2 and "--out" in r.stderr
    r = batch_cli(["in", "--wires", str(tmp_path / "nowires.db"), "--out", "o"], tmp_path)
    assert r.returncode == 2 and "nowires.db" in r.stderr
    (tmp_path / "attribution.toml").write_text("fail-on = ['sometimes']\n")
    r = batch_cli(["in", "--wires", str(stub_db), "--out", "o"], tmp_path)
    assert r.returncode == 2 and "attribution.toml" in r.stderr and "sometimes" in r.stderr


def test_write_html_for_check(tmp_path):
    from attribution.cli_batch import write_html

    doc = Document(text='"Hi <there>," she said.', path="x.txt")
    a = Analysis(document=doc, quotes=(), checked=())
    write_html(a, tmp_path / "review.html")
    assert "Hi &lt;there&gt;" in (tmp_path / "review.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the real pipeline


def test_real_pipeline_one_worker(tmp_path, wires_dir, pipeline, monkeypatch):
    monkeypatch.chdir(tmp_path)
    make_articles(tmp_path / "in", {"desk-b/empty.txt": "\n"})
    t0 = time.monotonic()
    res = run_batch(["in"], wires_dir, "out", workers=1, pipeline=pipeline, progress=False, log=lambda m: None)
    assert time.monotonic() - t0 < 60
    assert (res.total, res.processed, len(res.failures)) == (4, 3, 1)
    got = results(tmp_path / "out")
    verdict = {label.rsplit("/", 1)[-1]: [q["verdict"] for q in r["quotes"]] for label, r in got.items()}
    speakers = {label.rsplit("/", 1)[-1]: [q["speaker"]["name"] for q in r["quotes"]] for label, r in got.items()}
    # the first quote of each article is its direct quote (the background paragraph, in every
    # wire too, gives a confirmed reported-speech quote of the Coastal Freight Board after it)
    assert verdict["strike.txt"][0] == "confirmed" and speakers["strike.txt"][0] == "Henrik Vale"
    assert verdict["union.txt"][0] == "altered"  # the negation is gone
    assert verdict["mayor.txt"][0] == "unverified"
    page = (tmp_path / "out" / got["in/desk-a/union.txt"]["batch"]["review"]).read_text(encoding="utf-8")
    assert 'class="k-negation"' in page
    report = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "empty.txt" in report and "FAIL" in report


def test_not_an_archive_is_refused_before_any_work(tmp_path):
    make_articles(tmp_path / "in")
    bogus = tmp_path / "bogus.db"
    bogus.write_text("hello " * 100)
    r = batch_cli(["in", "--wires", str(bogus), "--out", "o"], tmp_path)
    assert r.returncode == 3 and "bogus.db: not a wire archive" in r.stderr and "Traceback" not in r.stderr
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    r = batch_cli(["in", "--wires", str(empty), "--out", "o"], tmp_path)
    assert r.returncode == 3 and empty.stat().st_size == 0  # not turned into an archive


def test_cli_batch_one_worker_gate(tmp_path, wires_dir, cli_pipeline, monkeypatch):
    from typer.testing import CliRunner

    from attribution.cli_batch import make_app

    monkeypatch.chdir(tmp_path)
    make_articles(tmp_path / "in")
    (tmp_path / "attribution.toml").write_text(f'wires = "{wires_dir.name}"\nworkers = 1\n')
    r = CliRunner().invoke(make_app(), ["batch", "in", "--out", "out", "--gate", "--quiet"])
    assert r.exit_code == 1, r.output  # union.txt is altered, mayor.txt unverified
    assert r.stdout.strip().endswith("out/report.html")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["articles"]["processed"] == 3 and summary["gate"]["failing_quotes"] >= 2
    r = CliRunner().invoke(make_app(), ["batch", "in", "--out", "out", "--fail-on", "misattributed", "--quiet"])
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["articles"]["resumed"] == 3
