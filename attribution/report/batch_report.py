"""The batch report: ``report.html``, ``quotes.csv`` and ``summary.json`` over many results.

Built from ``attribution.check/1`` result objects (the per-article JSON files of
:mod:`attribution.batch`), so a report can be made again, or made from results written
elsewhere, without running the pipeline::

    summary = write_batch_report(out_dir, result_files, failures, fail_on=("altered", ...))

``report.html`` (one self-contained file, no script, charts as inline SVG):

* totals: the editorial gate (failing quotes and articles), quotes per verdict (with a
  chart), articles checked / done before / unreadable;
* every quote that fails the gate (verdict in ``fail_on``), worst verdicts first, each with
  a link to its article's review page (``review/<name>.html#a1-<quote id>``);
* the articles that could not be read, each with its reason;
* per agency: how often its copy (each wire version offered as evidence) confirms,
  paraphrases or differs from the article's words (altered or misattributed), or was a
  candidate that did not match; and for how many quotes it was the best evidence;
* per outlet (the article's ``outlet`` field) or else source folder: articles, quotes per
  verdict, failing quotes (with a chart);
* per speaker (the 100 with the most quotes): quotes per verdict;
* every article, with its counts and a link to its review page.

``quotes.csv``: one row per quote: ``article, quote_id, quote, speaker, verdict, best_wire,
agency, similarity`` (``best_wire`` is the wire id of the first evidence; RFC 4180).

``summary.json`` (schema ``attribution.batch/1``): the same figures as data: ``articles``,
``quotes`` (per verdict), ``gate``, ``per_agency``, ``per_source``, ``per_speaker`` (all
speakers), ``failures`` (unreadable articles), plus the run's ``meta``.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import os
from pathlib import Path
from typing import Iterable, Optional, Sequence, TextIO, Union

from ..model import VERDICTS
from .html import (DEFAULT_FAIL_ON, VERDICT_INFO, atomic_write_text, esc, page_head, quote_anchor,
                   shorten)

SUMMARY_SCHEMA = "attribution.batch/1"
CSV_FIELDS = ("article", "quote_id", "quote", "speaker", "verdict", "best_wire", "agency", "similarity")
SEVERITY = {"altered": 0, "misattributed": 1, "unverified": 2, "paraphrased": 3, "confirmed": 4}
COLOURS = {"confirmed": "#1a7f37", "paraphrased": "#0969da", "altered": "#cf222e",
           "misattributed": "#8250df", "unverified": "#bf8700", "none": "#8c959f"}
AGENCY_CATS = (("confirmed", "confirms", "#1a7f37"), ("paraphrased", "paraphrases", "#0969da"),
               ("differs", "differs", "#cf222e"), ("nomatch", "no match", "#8c959f"))
TOP_SPEAKERS = 100
TOP_CHART = 25

EXTRA_CSS = """
.cards{display:flex;flex-wrap:wrap;gap:.6rem;list-style:none;padding:0;margin:.6rem 0}
.cards li{border:1px solid var(--line);border-radius:.4rem;padding:.35rem .8rem;background:var(--panel)}
.cards b{font-size:1.25rem}
.chart{max-width:100%;height:auto;display:block;margin:.5rem 0}
.chart text{font:12px system-ui,"DejaVu Sans",Arial,sans-serif;fill:#1f2328}
td.v{white-space:nowrap;color:var(--c);font-weight:600}
.wide{overflow-x:auto}
nav.sections ul{display:flex;flex-wrap:wrap;gap:.3rem 1.2rem;list-style:none;padding:0}
"""


def _new_counts() -> dict:
    return {v: 0 for v in VERDICTS}


class ReportBuilder:
    """Adds results one at a time (streaming the CSV rows), then renders.

    ``add(result)`` takes one ``attribution.check/1`` object (a dict); its ``batch`` object,
    when there is one, gives the label, the group or outlet and the review page link."""

    def __init__(self, fail_on: Iterable[str] = DEFAULT_FAIL_ON, csv_out: Optional[TextIO] = None):
        self.fail_on = tuple(fail_on)
        self._fail = set(self.fail_on)
        self.totals = _new_counts()
        self.quotes = 0
        self.articles: list[tuple] = []  # (label, title, source, counts, n_failing, href)
        self.failing: list[tuple] = []  # (severity, article#, verdict, label, href, qid, speaker, text, agency, sim)
        self.agency: dict[str, dict] = {}
        self.speaker: dict[str, dict] = {}
        self.source: dict[str, dict] = {}
        self.failing_articles = 0
        self._csv = csv.writer(csv_out) if csv_out is not None else None
        if self._csv is not None:
            self._csv.writerow(CSV_FIELDS)

    def add(self, result: dict) -> None:
        b = result.get("batch") or {}
        art = result.get("article") or {}
        label = b.get("input") or art.get("path") or f"article {len(self.articles) + 1}"
        href = b.get("review") or ""
        source = b.get("outlet") or b.get("group") or "(none)"
        counts = _new_counts()
        n_fail = 0
        idx = len(self.articles)
        for q in result.get("quotes") or ():
            v = q.get("verdict") or "none"
            counts[v] = counts.get(v, 0) + 1
            self.totals[v] = self.totals.get(v, 0) + 1
            self.quotes += 1
            sp = ((q.get("speaker") or {}).get("name")) or ""
            s = self.speaker.setdefault(sp or "(unknown)", {"quotes": 0, **_new_counts()})
            s["quotes"] += 1
            s[v] = s.get(v, 0) + 1
            evs = q.get("evidence") or []
            for n, ev in enumerate(evs):
                ag = (ev.get("agency") or "(unknown)").strip() or "(unknown)"
                a = self.agency.setdefault(ag, {"evidence": 0, "confirmed": 0, "paraphrased": 0,
                                                "differs": 0, "nomatch": 0, "best": 0})
                a["evidence"] += 1
                ev_v = ev.get("verdict")
                cat = ev_v if ev_v in ("confirmed", "paraphrased") else (
                    "differs" if ev_v in ("altered", "misattributed") else "nomatch")
                a[cat] += 1
                if n == 0:
                    a["best"] += 1
            best = evs[0] if evs else {}
            sim = best.get("similarity")
            if v in self._fail:
                n_fail += 1
                self.failing.append((SEVERITY.get(v, 9), idx, v, label, href, str(q.get("id", "")), sp,
                                     shorten(q.get("text") or "", 220), best.get("agency") or "", sim))
            if self._csv is not None:
                self._csv.writerow([label, q.get("id", ""), q.get("text", ""), sp, v,
                                    best.get("wire_id") or "", best.get("agency") or "",
                                    "" if sim is None else round(float(sim), 1)])
        src = self.source.setdefault(source, {"articles": 0, "quotes": 0, "failing": 0, **_new_counts()})
        src["articles"] += 1
        src["quotes"] += sum(counts.values())
        src["failing"] += n_fail
        for v, c in counts.items():
            src[v] = src.get(v, 0) + c
        if n_fail:
            self.failing_articles += 1
        self.articles.append((label, art.get("title") or "", source, counts, n_fail, href))

    # ------------------------------------------------------------------ data

    def summary(self, failures: Sequence[dict] = (), meta: Optional[dict] = None) -> dict:
        meta = dict(meta or {})
        return {
            "schema": SUMMARY_SCHEMA,
            "generated": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            **meta,
            "articles": {**(meta.get("articles") or {}), "reported": len(self.articles),
                         "unreadable": len(failures)},
            "quotes": {"total": self.quotes, **self.totals},
            "gate": {"fail_on": list(self.fail_on), "failing_quotes": len(self.failing),
                     "failing_articles": self.failing_articles, "passed": not self.failing},
            "per_agency": dict(sorted(self.agency.items(), key=lambda kv: (-kv[1]["evidence"], kv[0]))),
            "per_source": dict(sorted(self.source.items(), key=lambda kv: (-kv[1]["articles"], kv[0]))),
            "per_speaker": dict(sorted(self.speaker.items(), key=lambda kv: (-kv[1]["quotes"], kv[0]))),
            "failures": list(failures),
        }

    # ------------------------------------------------------------------ html

    def html(self, failures: Sequence[dict] = (), meta: Optional[dict] = None,
             title: Optional[str] = None) -> str:
        out = io.StringIO()
        self.write_html(out, failures, meta, title)
        return out.getvalue()

    def write_html(self, out: TextIO, failures: Sequence[dict] = (), meta: Optional[dict] = None,
                   title: Optional[str] = None) -> None:
        meta = meta or {}
        from .. import __version__

        title = title or f"Quote check report: {len(self.articles)} articles"
        w = out.write
        w(page_head(title, EXTRA_CSS))
        w("<body>\n<a class=\"skip\" href=\"#totals\">Skip to the totals</a>\n<main>\n")
        now = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        w(f"<header><h1>{esc(title)}</h1><p class=\"meta\">Made by attribution {esc(__version__)} on {esc(now)}")
        if meta.get("wires"):
            w(f" · wires: <code>{esc(meta['wires'])}</code>")
        if meta.get("inputs"):
            ins = ", ".join(str(i) for i in meta["inputs"][:10]) + (" …" if len(meta["inputs"]) > 10 else "")
            w(f" · inputs: <code>{esc(ins)}</code>")
        w("</p></header>\n")
        w("<nav class=\"sections\" aria-label=\"sections\"><ul>"
          "<li><a href=\"#totals\">Totals</a></li><li><a href=\"#failing\">Failing quotes</a></li>"
          "<li><a href=\"#unreadable\">Unreadable articles</a></li><li><a href=\"#agencies\">Agencies</a></li>"
          "<li><a href=\"#sources\">Outlets / sources</a></li><li><a href=\"#speakers\">Speakers</a></li>"
          "<li><a href=\"#articles\">All articles</a></li></ul></nav>\n")
        self._totals(w, failures, meta)
        self._failing(w)
        self._unreadable(w, failures)
        self._agencies(w)
        self._sources(w)
        self._speakers(w)
        self._articles(w)
        w("</main>\n</body>\n</html>\n")

    def _totals(self, w, failures, meta) -> None:
        nf = len(self.failing)
        w("<section id=\"totals\" tabindex=\"-1\" aria-labelledby=\"totals-h\"><h2 id=\"totals-h\">Totals</h2>")
        gate_v = "altered" if nf else "confirmed"
        word, icon = ("FAIL", "✗") if nf else ("PASS", "✓")
        w(f"<div class=\"gate v-{gate_v}\" role=\"status\"><span aria-hidden=\"true\">{icon}</span> Editorial gate: "
          f"<strong>{word}</strong> — {nf} failing quote{'s' if nf != 1 else ''} in {self.failing_articles} "
          f"article{'s' if self.failing_articles != 1 else ''} (fails on: {esc(', '.join(self.fail_on) or 'nothing')}).</div>")
        a = meta.get("articles") or {}
        cards = [("articles reported", len(self.articles)), ("quotes", self.quotes),
                 ("unreadable articles", len(failures))]
        if "processed" in a:
            cards += [("checked in this run", a.get("processed", 0)), ("done in an earlier run", a.get("resumed", 0))]
        w("<ul class=\"cards\">" + "".join(f"<li>{esc(k)}: <b>{v}</b></li>" for k, v in cards) + "</ul>")
        w("<ul class=\"counts\" aria-label=\"quotes per verdict\">")
        for v in VERDICTS:
            icon_, label, expl = VERDICT_INFO[v]
            pct = f" ({100 * self.totals[v] / self.quotes:.0f}%)" if self.quotes else ""
            w(f"<li class=\"v-{v}\" title=\"{esc(expl)}\"><span aria-hidden=\"true\">{icon_}</span> "
              f"{label}: <b>{self.totals[v]}</b>{pct}</li>")
        w("</ul>")
        w(svg_bars([(VERDICT_INFO[v][1], self.totals[v], COLOURS[v]) for v in VERDICTS],
                   "Quotes per verdict"))
        w("</section>\n")

    def _failing(self, w) -> None:
        rows = sorted(self.failing, key=lambda r: (r[0], r[1]))
        w(f"<section id=\"failing\" tabindex=\"-1\" aria-labelledby=\"failing-h\"><h2 id=\"failing-h\">"
          f"Quotes that fail the gate ({len(rows)})</h2>")
        if not rows:
            w("<p>None.</p></section>\n")
            return
        w("<div class=\"wide\"><table><thead><tr><th scope=\"col\">Verdict</th><th scope=\"col\">Article</th>"
          "<th scope=\"col\">Speaker</th><th scope=\"col\">Quote</th><th scope=\"col\">Best wire</th></tr></thead><tbody>")
        for _, _, v, label, href, qid, sp, text, agency, sim in rows:
            icon, vl, _ = VERDICT_INFO.get(v, VERDICT_INFO["none"])
            link = f"{href}#{quote_anchor(1, qid)}" if href else ""
            art = (f"<a href=\"{esc(link)}\">{esc(label)}</a>" if link else esc(label)) + f" <span class=\"muted\">{esc(qid)}</span>"
            best = f"{esc(agency)} {sim:.0f}" if agency and isinstance(sim, (int, float)) else esc(agency or "—")
            w(f"<tr class=\"v-{v}\"><td class=\"v\"><span aria-hidden=\"true\">{icon}</span> {vl}</td><td>{art}</td>"
              f"<td>{esc(sp or '—')}</td><td>{esc(text)}</td><td>{best}</td></tr>")
        w("</tbody></table></div></section>\n")

    def _unreadable(self, w, failures) -> None:
        w(f"<section id=\"unreadable\" tabindex=\"-1\" aria-labelledby=\"unreadable-h\"><h2 id=\"unreadable-h\">"
          f"Articles that could not be checked ({len(failures)})</h2>")
        if not failures:
            w("<p>None.</p></section>\n")
            return
        w("<table><thead><tr><th scope=\"col\">Input</th><th scope=\"col\">Reason</th></tr></thead><tbody>")
        for f in failures:
            w(f"<tr><td><code>{esc(f.get('input'))}</code></td><td>{esc(f.get('reason'))}</td></tr>")
        w("</tbody></table></section>\n")

    def _agencies(self, w) -> None:
        items = sorted(self.agency.items(), key=lambda kv: (-kv[1]["evidence"], kv[0]))
        w("<section id=\"agencies\" tabindex=\"-1\" aria-labelledby=\"agencies-h\"><h2 id=\"agencies-h\">"
          "Per agency: how its copy compares with the articles</h2>")
        if not items:
            w("<p>No wire evidence.</p></section>\n")
            return
        w("<p class=\"meta\">Each wire version offered as evidence for a quote: it confirms the article's "
          "words, paraphrases them, differs (altered or attributed to someone else), or was a candidate "
          "that did not match.</p>")
        w(svg_stacked([(ag, [(lab, d[k], col) for k, lab, col in AGENCY_CATS]) for ag, d in items[:TOP_CHART]],
                      "Wire versions per agency", [(lab, col) for _, lab, col in AGENCY_CATS]))
        w("<table><thead><tr><th scope=\"col\">Agency</th><th scope=\"col\">versions</th>"
          + "".join(f"<th scope=\"col\">{lab}</th>" for _, lab, _ in AGENCY_CATS)
          + "<th scope=\"col\">best evidence for</th></tr></thead><tbody>")
        for ag, d in items:
            n = d["evidence"] or 1
            w(f"<tr><th scope=\"row\">{esc(ag)}</th><td class=\"n\">{d['evidence']}</td>"
              + "".join(f"<td class=\"n\">{d[k]} ({100 * d[k] / n:.0f}%)</td>" for k, _, _ in AGENCY_CATS)
              + f"<td class=\"n\">{d['best']} quotes</td></tr>")
        w("</tbody></table></section>\n")

    def _verdict_table(self, w, head: str, items: list, first_cols: Sequence[str]) -> None:
        w(f"<table><thead><tr><th scope=\"col\">{esc(head)}</th>"
          + "".join(f"<th scope=\"col\">{c}</th>" for c in first_cols)
          + "".join(f"<th scope=\"col\"><span aria-hidden=\"true\">{VERDICT_INFO[v][0]}</span> {v}</th>" for v in VERDICTS)
          + "</tr></thead><tbody>")
        for name, d in items:
            w(f"<tr><th scope=\"row\">{esc(name)}</th>"
              + "".join(f"<td class=\"n\">{d.get(c, 0)}</td>" for c in first_cols)
              + "".join(f"<td class=\"n\">{d.get(v, 0)}</td>" for v in VERDICTS) + "</tr>")
        w("</tbody></table>")

    def _sources(self, w) -> None:
        items = sorted(self.source.items(), key=lambda kv: (-kv[1]["articles"], kv[0]))
        w("<section id=\"sources\" tabindex=\"-1\" aria-labelledby=\"sources-h\"><h2 id=\"sources-h\">"
          "Per outlet or source folder</h2>")
        if items:
            w(svg_stacked([(name, [(VERDICT_INFO[v][1], d.get(v, 0), COLOURS[v]) for v in VERDICTS])
                           for name, d in items[:TOP_CHART]], "Quotes per verdict, per outlet or source",
                          [(VERDICT_INFO[v][1], COLOURS[v]) for v in VERDICTS]))
            self._verdict_table(w, "Outlet / source", items, ("articles", "quotes", "failing"))
        w("</section>\n")

    def _speakers(self, w) -> None:
        items = sorted(self.speaker.items(), key=lambda kv: (-kv[1]["quotes"], kv[0]))
        w(f"<section id=\"speakers\" tabindex=\"-1\" aria-labelledby=\"speakers-h\"><h2 id=\"speakers-h\">"
          f"Per speaker ({len(items)})</h2>")
        if len(items) > TOP_SPEAKERS:
            w(f"<p class=\"meta\">The {TOP_SPEAKERS} speakers with the most quotes; all are in summary.json.</p>")
        if items:
            self._verdict_table(w, "Speaker", items[:TOP_SPEAKERS], ("quotes",))
        w("</section>\n")

    def _articles(self, w) -> None:
        w(f"<section id=\"articles\" tabindex=\"-1\" aria-labelledby=\"articles-h\"><h2 id=\"articles-h\">"
          f"All articles ({len(self.articles)})</h2>")
        if not self.articles:
            w("<p>None.</p></section>\n")
            return
        w("<details><summary>Show the table</summary><div class=\"wide\"><table><thead><tr>"
          "<th scope=\"col\">Article</th><th scope=\"col\">Source</th><th scope=\"col\">quotes</th>"
          "<th scope=\"col\">failing</th>"
          + "".join(f"<th scope=\"col\"><span aria-hidden=\"true\">{VERDICT_INFO[v][0]}</span> {v}</th>" for v in VERDICTS)
          + "</tr></thead><tbody>")
        for label, t, source, counts, nf, href in self.articles:
            name = esc(label) + (f"<br><span class=\"muted\">{esc(shorten(t, 90))}</span>" if t else "")
            cell = f"<a href=\"{esc(href)}\">{name}</a>" if href else name
            w(f"<tr><td>{cell}</td><td>{esc(source)}</td><td class=\"n\">{sum(counts.values())}</td>"
              f"<td class=\"n\">{nf}</td>" + "".join(f"<td class=\"n\">{counts.get(v, 0)}</td>" for v in VERDICTS)
              + "</tr>")
        w("</tbody></table></div></details></section>\n")


# --------------------------------------------------------------------------- charts


def svg_bars(rows: Sequence[tuple[str, int, str]], title: str, *, label_w: int = 120,
             bar_w: int = 420, row_h: int = 24) -> str:
    """Horizontal bars, one per row (label, value, colour); the value is written too."""
    top = max([v for _, v, _ in rows] + [1])
    h = row_h * len(rows) + 8
    width = label_w + bar_w + 70
    parts = [f"<svg class=\"chart\" role=\"img\" aria-label=\"{esc(title)}\" viewBox=\"0 0 {width} {h}\" "
             f"width=\"{width}\" height=\"{h}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{esc(title)}</title>"]
    for i, (label, value, colour) in enumerate(rows):
        y = 4 + i * row_h
        bw = 0 if not value else max(2, round(bar_w * value / top))
        parts.append(f"<text x=\"{label_w - 6}\" y=\"{y + row_h * .65:.1f}\" text-anchor=\"end\">{esc(label)}</text>"
                     f"<rect x=\"{label_w}\" y=\"{y + 3}\" width=\"{bw}\" height=\"{row_h - 8}\" fill=\"{colour}\">"
                     f"<title>{esc(label)}: {value}</title></rect>"
                     f"<text x=\"{label_w + bw + 6}\" y=\"{y + row_h * .65:.1f}\">{value}</text>")
    parts.append("</svg>")
    return "".join(parts)


def svg_stacked(rows: Sequence[tuple[str, Sequence[tuple[str, int, str]]]], title: str,
                legend: Sequence[tuple[str, str]], *, label_w: int = 170, bar_w: int = 420,
                row_h: int = 24) -> str:
    """One stacked bar per row (label, [(part, value, colour)...]), each as a share of its
    row's total, the total written after it; a legend on top; a <title> on each part."""
    h = row_h * (len(rows) + 1) + 8
    width = label_w + bar_w + 80
    parts = [f"<svg class=\"chart\" role=\"img\" aria-label=\"{esc(title)}\" viewBox=\"0 0 {width} {h}\" "
             f"width=\"{width}\" height=\"{h}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{esc(title)}</title>"]
    x = label_w
    for lab, col in legend:
        parts.append(f"<rect x=\"{x}\" y=\"6\" width=\"12\" height=\"12\" fill=\"{col}\"/>"
                     f"<text x=\"{x + 16}\" y=\"16\">{esc(lab)}</text>")
        x += 24 + 7 * len(lab)
    for i, (label, segs) in enumerate(rows, 1):
        y = 4 + i * row_h
        total = sum(v for _, v, _ in segs)
        parts.append(f"<text x=\"{label_w - 6}\" y=\"{y + row_h * .65:.1f}\" text-anchor=\"end\">"
                     f"{esc(shorten(label, 26))}</text>")
        x = float(label_w)
        for name, v, col in segs:
            if not v or not total:
                continue
            bw = bar_w * v / total
            parts.append(f"<rect x=\"{x:.1f}\" y=\"{y + 3}\" width=\"{bw:.1f}\" height=\"{row_h - 8}\" fill=\"{col}\">"
                         f"<title>{esc(label)}: {esc(name)} {v} ({100 * v / total:.0f}%)</title></rect>")
            x += bw
        parts.append(f"<text x=\"{label_w + bar_w + 6}\" y=\"{y + row_h * .65:.1f}\">{total}</text>")
    parts.append("</svg>")
    return "".join(parts)


# --------------------------------------------------------------------------- files


def _load(path: Path) -> Optional[dict]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def write_batch_report(out_dir: Union[str, os.PathLike], results: Iterable[Union[dict, str, os.PathLike]],
                       failures: Sequence[dict] = (), *, fail_on: Iterable[str] = DEFAULT_FAIL_ON,
                       meta: Optional[dict] = None, title: Optional[str] = None) -> dict:
    """Write ``report.html``, ``quotes.csv`` and ``summary.json`` under `out_dir` (each
    atomically) from `results` (result dicts, or paths of result files, in order); return
    the summary. A result file that cannot be read is added to the failures."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    failures = list(failures)
    csv_buf = io.StringIO(newline="")
    rb = ReportBuilder(fail_on, csv_out=csv_buf)
    for r in results:
        obj = r if isinstance(r, dict) else _load(Path(r))
        if obj is None:
            failures.append({"input": str(r), "reason": f"{r}: result file unreadable [E105]", "code": "E105"})
            continue
        rb.add(obj)
    summary = rb.summary(failures, meta)
    atomic_write_text(out / "quotes.csv", csv_buf.getvalue())
    html_buf = io.StringIO()
    rb.write_html(html_buf, failures, meta, title)
    atomic_write_text(out / "report.html", html_buf.getvalue())
    atomic_write_text(out / "summary.json", json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    return summary


__all__ = ["ReportBuilder", "write_batch_report", "svg_bars", "svg_stacked", "CSV_FIELDS", "SUMMARY_SCHEMA"]
