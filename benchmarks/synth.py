"""A seeded generator of wire-like stories and articles built from them (for the scale
benchmark and for smoke tests; all text is generated, nothing is copied from anywhere).

Every *event* (a day, a place, a few people and organisations) gets 2-4 wire items from
different agencies (~200 words: a dateline, background sentences, direct quotes and
reported speech) and one article of ~600 words quoting the same people: some quotes word
for word, some with a changed number, some found in no wire. Quotes come with their spans
and speakers, so items and articles can be stored and checked without spaCy.

    gen = Synth(seed=7)
    for item, analysis in gen.wire_items(10_000): ...
    article_analysis, expected = gen.article(event_no)
"""

from __future__ import annotations

import datetime as _dt
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from attribution.model import Analysis, Document, Quote, Span, Speaker  # noqa: E402

SYL = ["ka", "lo", "mi", "ren", "to", "va", "sel", "dor", "an", "bri", "ko", "na", "vik", "tra",
       "mel", "os", "ri", "ha", "ber", "lin", "za", "quo", "pe", "te", "gor", "ul", "si", "fa"]
AGENCIES = ["AFP", "AP", "Reuters", "TASS", "Interfax"]
NOUNS = ["port", "grid", "railway", "harbour", "reservoir", "factory", "airport", "bridge",
         "pipeline", "hospital", "school", "market", "border post", "terminal", "mine"]
VERBS = ["open", "close", "repair", "expand", "inspect", "sell", "modernise", "fund", "rebuild"]
OBJECTS = ["workers", "ships", "trains", "families", "flights", "patients", "trucks", "tonnes"]
FILLER = [
    "The {noun} in {place} has been at the centre of a dispute since {month}.",
    "Officials in {place} said the {noun} handles about {n} {obj} a day.",
    "The {org} first raised concerns about the {noun} in {year}.",
    "Talks between the {org} and the {org2} are due to continue next week.",
    "The {noun} employs about {n} people in the {place} region.",
    "Analysts expect the decision on the {noun} to take several months.",
    "The government has promised to {verb} the {noun} by {year}.",
    "Local media in {place} reported long queues near the {noun} on {day}.",
]
DIRECT = [
    "We will {verb} the {noun} within {n} months, and nobody will lose their job",
    "The {noun} cannot wait any longer; {n} {obj} depend on it every day",
    "We are not against change, but we want the {org} to listen to us",
    "This is the largest investment in {place} for {n} years",
    "Nobody told us that the {noun} would {verb} so soon",
    "If the talks fail, we will take the case to court in {place}",
    "Our members have waited {n} weeks for an answer from the {org}",
    "The {noun} will be ready before the winter, whatever it costs",
]
INDIRECT = [
    "the {noun} would {verb} next year at a cost of {n} million euros",
    "about {n} {obj} had been affected since {day}",
    "the {org} had rejected the plan to {verb} the {noun}",
    "talks with the {org} would resume on {day}",
]
UNSEEN = [  # statements no wire item carries (the article's unverified quotes)
    "The weather this spring has made everything harder for the crews on the quay",
    "My grandfather would not recognise the place any more, and that is fine",
    "Someone has to pay for the new road, and it should not be the families here",
    "We learned about the decision from a newspaper, not from a letter",
    "There is a lot of anger in the town, but also a little hope",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
MONTHS = ["January", "March", "May", "July", "September", "November"]


def _name(rng: random.Random, parts: int = 2) -> str:
    return " ".join("".join(rng.choice(SYL) for _ in range(rng.randint(2, 3))).capitalize()
                    for _ in range(parts))


@dataclass
class Event:
    no: int
    date: str
    place: str
    people: list[str]
    orgs: list[str]
    noun: str
    statements: list[tuple[str, str, str]]  # (speaker, kind, text)


class Synth:
    def __init__(self, seed: int = 7, start: str = "2025-01-01", days: int = 365):
        self.seed = seed
        self.start = _dt.date.fromisoformat(start)
        self.days = days

    def event(self, no: int) -> Event:
        rng = random.Random(self.seed * 1_000_003 + no)
        date = (self.start + _dt.timedelta(days=rng.randrange(self.days))).isoformat()
        place = _name(rng, 1)
        people = [_name(rng) for _ in range(4)]
        orgs = [f"{_name(rng, 1)} {rng.choice(['Council', 'Union', 'Authority', 'Group', 'Ministry'])}"
                for _ in range(2)]
        noun = rng.choice(NOUNS)
        statements = []
        for _ in range(8):
            sp = rng.choice(people)
            if rng.random() < 0.6:
                t = rng.choice(DIRECT)
                kind = "direct"
            else:
                t = rng.choice(INDIRECT)
                kind = "indirect"
            statements.append((sp, kind, self._fill(rng, t, place, orgs, noun)))
        return Event(no, date, place, people, orgs, noun, statements)

    def _fill(self, rng, t, place, orgs, noun) -> str:
        return t.format(verb=rng.choice(VERBS), noun=noun, n=rng.choice([2, 3, 4, 5, 12, 40, 300, 1800]),
                        obj=rng.choice(OBJECTS), org=orgs[0], org2=orgs[1], place=place,
                        day=rng.choice(DAYS), month=rng.choice(MONTHS), year=rng.choice([2019, 2021, 2023, 2027]))

    def _filler(self, rng, ev: Event) -> str:
        return self._fill(rng, rng.choice(FILLER), ev.place, ev.orgs, ev.noun).replace(
            "{org2}", ev.orgs[1]) if True else ""

    # ------------------------------------------------------------------ wires

    def _story(self, rng, ev: Event, statements, words: int, dateline: str) -> tuple[str, list]:
        """Text and [(start, end, speaker, kind)] of the quotes in it."""
        paras = []
        spans_spec = []
        fill_n = max(2, int(words / 10.5) - 2 * len(statements))
        fills = [self._filler(rng, ev) for _ in range(fill_n)]
        body = [dateline + " " + fills.pop(0)]
        for sp, kind, text in statements:
            if fills:
                body.append(fills.pop(0) + (" " + fills.pop(0) if fills and rng.random() < 0.5 else ""))
            body.append((kind, sp, text))
        body.extend(fills)
        out = ""
        for p in body:
            if out:
                out += "\n\n"
            if isinstance(p, tuple):
                kind, sp, text = p
                if kind == "direct":
                    s = len(out) + 1
                    out += f'"{text}," {sp} said.'
                    spans_spec.append((s, s + len(text), sp, kind))
                else:
                    prefix = f"{sp} said "
                    s = len(out) + len(prefix)
                    out += f"{prefix}{text}."
                    spans_spec.append((s, s + len(text), sp, kind))
            else:
                out += p
        del paras
        return out, spans_spec

    def wire_items(self, n: int, first_event: int = 0) -> Iterator[tuple]:
        """(WireItem, Analysis) pairs: about three items per event."""
        from attribution.wires.readers import make_item

        made = 0
        ev_no = first_event
        while made < n:
            ev = self.event(ev_no)
            rng = random.Random(self.seed * 7_919 + ev_no)
            k = rng.randint(2, 4)
            for agency in rng.sample(AGENCIES, k):
                if made >= n:
                    break
                sts = rng.sample(ev.statements, rng.randint(3, 5))
                body, spec = self._story(rng, ev, sts, 200, f"{ev.place.upper()} ({agency}) -")
                doc = Document(text=body, path=f"synth/{ev_no}-{agency}", title=f"{ev.place} {ev.noun} row",
                               date=ev.date, meta=(("agency", agency),))
                item = make_item(body=body, agency=agency, date=ev.date, headline=doc.title,
                                 id=f"synth-{self.seed}-{ev_no}-{agency}", source=doc.path, document=doc)
                quotes = tuple(
                    Quote(f"q{i}", kind, (Span.of(body, s, e),),
                          speaker=Speaker(sp, "person", "name", confidence=1.0))
                    for i, (s, e, sp, kind) in enumerate(spec, 1))
                yield item, Analysis(doc, quotes)
                made += 1
            ev_no += 1

    def n_events(self, n_items: int) -> int:
        """How many events wire_items(n_items) covers (it stops inside the last one)."""
        made = ev = 0
        while made < n_items:
            made += random.Random(self.seed * 7_919 + ev).randint(2, 4)
            ev += 1
        return ev

    # ------------------------------------------------------------------ articles

    def article(self, ev_no: int, words: int = 600) -> tuple[Analysis, list[str]]:
        """A ~600-word article on event `ev_no` with ~10 quotes, and the verdict each
        quote is built to get (confirmed / altered / unverified)."""
        ev = self.event(ev_no)
        rng = random.Random(self.seed * 104_729 + ev_no)
        sts, expected = [], []
        for sp, kind, text in ev.statements[:7]:
            r = rng.random()
            if r < 0.6:
                sts.append((sp, kind, text))
                expected.append("confirmed?")  # only if a wire item picked it
            else:
                changed = text
                for a, b in (("1800", "1300"), (" 3 ", " 5 "), ("40", "14"), ("300", "200"), (" 12 ", " 21 ")):
                    if a in changed:
                        changed = changed.replace(a, b, 1)
                        break
                else:
                    changed = changed.replace(" will ", " may ", 1)
                sts.append((sp, kind, changed))
                expected.append("altered?")
        for _ in range(3):
            sp = rng.choice(ev.people)
            sts.append((sp, "direct", rng.choice(UNSEEN)))
            expected.append("unverified")
        body, spec = self._story(rng, ev, sts, words, f"{ev.place.upper()} -")
        title = f"{ev.place} {ev.noun}: what was said"
        text = title + "\n\n" + body
        off = len(title) + 2
        doc = Document(text=text, path=f"synth/article-{ev_no}", title=title, date=ev.date)
        quotes = tuple(
            Quote(f"q{i}", kind, (Span.of(text, s + off, e + off),),
                  speaker=Speaker(sp, "person", "name", confidence=1.0))
            for i, (s, e, sp, kind) in enumerate(spec, 1))
        return Analysis(doc, quotes), expected


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="print a few synthetic wire items and an article")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("-n", type=int, default=3)
    args = ap.parse_args(argv)
    g = Synth(args.seed)
    for item, ana in g.wire_items(args.n):
        print(f"--- {item.id} {item.agency} {item.date} ({len(item.body.split())} words, {len(ana.quotes)} quotes)")
        print(item.body)
    a, _ = g.article(0)
    print(f"=== article ({len(a.document.text.split())} words, {len(a.quotes)} quotes)")
    print(a.document.text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
