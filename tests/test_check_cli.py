"""`attribution check` on the bundled example: the review page and settings from a config file."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from attribution import cli
from conftest import EXAMPLES


@pytest.fixture
def runner():
    return CliRunner()


def run(runner, *args):
    return runner.invoke(cli.app, [str(a) for a in args], catch_exceptions=False)


def test_html_review_page_is_written(runner, tmp_path, cli_pipeline, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "review.html"
    r = run(runner, "check", EXAMPLES / "article.txt", "--wires", EXAMPLES / "wires",
            "--format", "html", "--out", out)
    assert r.exit_code == 1  # the example has an altered, a misattributed and an unverified quote
    page = out.read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html")
    for verdict in ("confirmed", "altered", "misattributed", "unverified"):
        assert verdict in page
    assert "<script" not in page.lower()


def test_config_file_sets_format_and_gate(runner, tmp_path, cli_pipeline, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "attribution.toml").write_text('format = "json"\nfail_on = ["paraphrased"]\n', encoding="utf-8")
    r = run(runner, "check", EXAMPLES / "article.txt", "--wires", EXAMPLES / "wires")
    doc = json.loads(r.stdout)
    assert doc["schema"] == "attribution.check/1"
    assert doc["summary"]["paraphrased"] >= 1
    assert r.exit_code == 1  # paraphrased now fails the gate
    # the command line wins over the file
    r = run(runner, "check", EXAMPLES / "article.txt", "--wires", EXAMPLES / "wires", "--fail-on", "")
    assert r.exit_code == 0


def test_bad_config_is_a_usage_error(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "attribution.toml").write_text('window = "soon"\n', encoding="utf-8")
    r = run(runner, "check", EXAMPLES / "article.txt", "--wires", EXAMPLES / "wires")
    assert r.exit_code == 2
    assert "attribution.toml" in r.stderr
