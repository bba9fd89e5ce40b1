"""The command line: formats, exit codes, stderr/stdout discipline, start-up time."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attribution import __version__, cli
from attribution.errors import EXIT_INPUT, EXIT_OK, EXIT_USAGE
from attribution.report.csvout import QUOTE_FIELDS

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

HEAVY = ("spacy", "torch", "transformers", "trafilatura", "rapidfuzz", "thinc")

ARTICLE = (
    "Harbour minister promises new quay\n\n"
    "Transport Minister Margaret Ellison-Drury visited the port of Halvik on Thursday.\n\n"
    "“We are here to build something that lasts, not to make speeches,” "
    "Ellison-Drury told reporters.\n\n"
    "“The money is already in the budget,” she said.\n"
)

OTHER = (
    "Mayor welcomes visit\n\n"
    "Mayor Tor Brennvik said the town would hire 60 seasonal workers.\n\n"
    "“This is a good day for Halvik,” Brennvik said.\n"
)


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def article(tmp_path):
    p = tmp_path / "article.txt"
    p.write_text(ARTICLE, encoding="utf-8")
    return p


@pytest.fixture
def other(tmp_path):
    p = tmp_path / "other.txt"
    p.write_text(OTHER, encoding="utf-8")
    return p


def invoke(runner, *args):
    return runner.invoke(cli.app, [str(a) for a in args], catch_exceptions=False)


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


# ---- start-up ------------------------------------------------------------------------

def test_help_imports_nothing_heavy():
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from attribution import cli\n"
        "r = CliRunner().invoke(cli.app, ['--help'])\n"
        "assert r.exit_code == 0, r.output\n"
        "r = CliRunner().invoke(cli.app, ['quotes', '--help'])\n"
        "assert r.exit_code == 0, r.output\n"
        f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})\n"
        "assert not heavy, heavy\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_python_dash_m_help():
    proc = subprocess.run([sys.executable, "-m", "attribution", "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "quotes" in proc.stdout


def test_version(runner):
    result = invoke(runner, "--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"attribution {__version__}"


def test_every_command_has_help(runner):
    import typer.main

    group = typer.main.get_command(cli.app)
    assert "quotes" in group.commands
    for name, command in group.commands.items():
        assert (command.help or "").strip(), f"{name} has no help text"


# ---- usage errors (2) ----------------------------------------------------------------

def test_missing_file_is_a_usage_error(runner, article, monkeypatch):
    def no_model():
        raise AssertionError("the model must not load for a usage error")

    monkeypatch.setattr(cli, "get_pipeline", no_model)
    result = invoke(runner, "quotes", article, "no-such-file.txt", "--format", "json")
    assert result.exit_code == EXIT_USAGE
    assert result.stdout == ""  # nothing half-printed
    assert error_lines(result) == ["attribution: error: no-such-file.txt: not found [E101]"]


def test_directory_is_a_usage_error(runner, tmp_path, stub_pipeline):
    result = invoke(runner, "quotes", tmp_path)
    assert result.exit_code == EXIT_USAGE
    assert len(error_lines(result)) == 1 and str(tmp_path) in result.stderr


@pytest.mark.parametrize("args", [["quotes"], ["quotes", "x.txt", "--format", "yaml"], ["nope"]])
def test_bad_usage_exits_2(runner, args):
    assert invoke(runner, *args).exit_code == EXIT_USAGE


# ---- unreadable input (3): the other files still go through --------------------------

BAD_FILES = {
    "empty": b"",
    "blank": b"  \n\n \t\n",
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)),
    "undecodable": "Le ministre a déclaré « non ».\n".encode("utf-8")[:-12] + b"\xff\xfe\xfa\n" * 3,
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "table"])
def test_unreadable_file_exit_3_others_still_printed(runner, tmp_path, article, other,
                                                     stub_pipeline, kind, fmt):
    bad = tmp_path / f"bad-{kind}.txt"
    bad.write_bytes(BAD_FILES[kind])
    result = invoke(runner, "quotes", article, bad, other, "--format", fmt)
    assert result.exit_code == EXIT_INPUT
    lines = error_lines(result)
    assert len(lines) == 1, lines
    assert lines[0].startswith("attribution: error: ") and str(bad) in lines[0]
    assert "Traceback" not in result.output
    assert [d.path for d in stub_pipeline.seen] == [str(article), str(other)]
    if fmt == "json":
        objs = json.loads(result.stdout)
        assert [o["article"]["path"] for o in objs] == [str(article), str(other)]
    elif fmt == "jsonl":
        assert len(result.stdout.splitlines()) == 2
    else:
        assert str(article) in result.stdout and str(other) in result.stdout


def test_only_bad_files_json_array_is_empty(runner, tmp_path, stub_pipeline):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    result = invoke(runner, "quotes", bad, bad, "--format", "json")
    assert result.exit_code == EXIT_INPUT
    assert json.loads(result.stdout) == []
    assert stub_pipeline.seen == []


def test_jsonl_input_bad_line_reported_good_lines_kept(runner, tmp_path, stub_pipeline):
    lines = [
        json.dumps({"title": "One", "text": ARTICLE}),
        '{"title": "broken", "text": ',
        json.dumps({"title": "Two", "text": OTHER}),
    ]
    src = tmp_path / "batch.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = invoke(runner, "quotes", src, "--format", "json")
    assert result.exit_code == EXIT_INPUT
    errors = error_lines(result)
    assert len(errors) == 1 and f"{src}#2" in errors[0]
    objs = json.loads(result.stdout)  # one file, several articles: an array
    assert [o["article"]["path"] for o in objs] == [f"{src}#1", f"{src}#3"]
    assert [o["article"]["title"] for o in objs] == ["One", "Two"]


def test_stdin(runner, stub_pipeline):
    result = runner.invoke(cli.app, ["quotes", "-", "--format", "json"], input=ARTICLE)
    assert result.exit_code == EXIT_OK, result.output
    obj = json.loads(result.stdout)
    assert obj["article"]["path"] == "-"
    assert obj["quotes"]


# ---- formats, on the real pipeline ----------------------------------------------------

def spans_of(quote: dict) -> list[dict]:
    spans = list(quote["parts"])
    spans += [s for s in (quote["cue"], quote["speaker"]["mention"]) if s]
    return spans


def test_json_one_article(runner, article, cli_pipeline):
    result = invoke(runner, "quotes", article, "--format", "json", "--include-text")
    assert result.exit_code == EXIT_OK, result.stderr
    obj = json.loads(result.stdout)
    assert obj["schema"] == "attribution.check/1"
    assert obj["article"]["path"] == str(article)
    text = obj["article"]["text"]
    assert obj["quotes"], "the article has direct quotes"
    assert obj["summary"]["quotes"] == len(obj["quotes"])
    for q in obj["quotes"]:
        assert "verdict" not in q
        for s in spans_of(q):
            assert text[s["start"]:s["end"]] == s["text"]
    assert any("build something that lasts" in q["text"] for q in obj["quotes"])


def test_json_several_articles_is_an_array(runner, article, other, cli_pipeline):
    result = invoke(runner, "quotes", article, other, "--format", "json")
    assert result.exit_code == EXIT_OK, result.stderr
    objs = json.loads(result.stdout)
    assert [o["article"]["path"] for o in objs] == [str(article), str(other)]
    assert all("text" not in o["article"] for o in objs)


def test_jsonl_one_line_per_article(runner, article, other, cli_pipeline):
    result = invoke(runner, "quotes", article, other, "--format", "jsonl", "--include-text")
    assert result.exit_code == EXIT_OK, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    for line, path in zip(lines, [article, other]):
        obj = json.loads(line)
        assert obj["article"]["path"] == str(path)
        for q in obj["quotes"]:
            for s in spans_of(q):
                assert obj["article"]["text"][s["start"]:s["end"]] == s["text"]


def test_csv_header_and_rows(runner, article, other, cli_pipeline):
    result = invoke(runner, "quotes", article, other, "--format", "csv")
    assert result.exit_code == EXIT_OK, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
    assert rows[0] == list(QUOTE_FIELDS)
    assert len(rows) > 1
    texts = {str(article): ARTICLE, str(other): OTHER}
    for row in rows[1:]:
        r = dict(zip(rows[0], row))
        assert r["article"] in texts
        if r["kind"] not in ("split", "multi_paragraph"):
            assert texts[r["article"]][int(r["start"]):int(r["end"])] == r["text"]


def test_table_is_the_default(runner, article, cli_pipeline):
    result = invoke(runner, "quotes", article)
    assert result.exit_code == EXIT_OK, result.stderr
    assert str(article.name) in result.stdout
    assert "Ellison-Drury" in result.stdout
    assert result.stderr == ""


def test_bundled_example(runner, cli_pipeline):
    result = invoke(runner, "quotes", EXAMPLES / "article.txt", "--format", "json", "--include-text")
    assert result.exit_code == EXIT_OK, result.stderr
    obj = json.loads(result.stdout)
    assert len(obj["quotes"]) >= 5
    for q in obj["quotes"]:
        for s in spans_of(q):
            assert obj["article"]["text"][s["start"]:s["end"]] == s["text"]
