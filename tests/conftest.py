"""Shared fixtures.

`pipeline` loads spaCy once per test session and is also what the CLI uses (it is
handed to `attribution.cli.set_pipeline`), so CLI tests that ask for it do not
load the model again. Tests where the model is not what is tested use
`stub_pipeline` instead: no spaCy at all.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from attribution.model import Analysis, Document, Quote, Span

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="run tests marked slow")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def pipeline():
    """The real Pipeline (spaCy), once per session, shared with the CLI."""
    from attribution import cli
    from attribution.pipeline import Pipeline

    p = Pipeline()
    cli.set_pipeline(p)
    return p


@pytest.fixture
def cli_pipeline(pipeline, monkeypatch):
    """The real Pipeline, installed in the CLI for this test (even after a stub)."""
    from attribution import cli

    monkeypatch.setattr(cli, "_PIPELINE", pipeline)
    return pipeline


class StubPipeline:
    """Every double-quoted span is a direct quote of an unknown speaker.

    Enough to exercise the CLI's reading, error handling and rendering without a model.
    """

    QUOTED = re.compile(r"[\"“]([^\"”\n]+)[\"”]")

    def __init__(self):
        self.seen: list[Document] = []

    def analyse(self, doc: Document) -> Analysis:
        self.seen.append(doc)
        quotes = tuple(
            Quote(id=f"q{i}", kind="direct", parts=(Span.of(doc.text, m.start(1), m.end(1)),))
            for i, m in enumerate(self.QUOTED.finditer(doc.text), 1)
        )
        return Analysis(document=doc, quotes=quotes)

    def analyse_many(self, docs):
        for doc in docs:
            yield self.analyse(doc)


@pytest.fixture
def stub_pipeline(monkeypatch):
    from attribution import cli

    stub = StubPipeline()
    monkeypatch.setattr(cli, "_PIPELINE", stub)
    return stub
