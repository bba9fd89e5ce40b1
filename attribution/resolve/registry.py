"""The per-document registry of people and organisations the article names.

Built from spaCy's entities and the words around them (titles, appositions,
relative clauses), it is what makes "the Russian president", "his Turkish
counterpart", "the commission" and "he" resolvable to a canonical name.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Optional

from attribution.nlp import Unit
from attribution.resolve.names import DEMONYMS, COUNTRIES, fold, strip_titles, metonym_government

STOP = {"the", "a", "an", "of", "and", "for", "in", "at", "on", "to", "'s", "’s", "who", "which",
        ",", "by", "with", "from"}


@dataclass
class Entity:
    kind: str  # person | organization
    canonical: str
    words: set = field(default_factory=set)  # folded name words
    descriptors: set = field(default_factory=set)  # folded words describing it
    nations: set = field(default_factory=set)
    mentions: list = field(default_factory=list)  # absolute start offsets
    gender: Optional[str] = None

    def mention_at(self, pos: int) -> None:
        k = bisect.bisect_left(self.mentions, pos)
        if k == len(self.mentions) or self.mentions[k] != pos:
            self.mentions.insert(k, pos)

    def last_before(self, pos: int) -> int:
        """The last mention before `pos`, or -1 (mentions are kept sorted)."""
        k = bisect.bisect_left(self.mentions, pos)
        return self.mentions[k - 1] if k else -1


class Registry:
    def __init__(self) -> None:
        self.people: list[Entity] = []
        self.orgs: list[Entity] = []

    # building -----------------------------------------------------------------

    @classmethod
    def build(cls, units: list[Unit]) -> "Registry":
        reg = cls()
        persons, orgs = [], []
        for u in units:
            for ent in u.doc.ents:
                if ent.label_ == "PERSON":
                    persons.append((u, ent))
                elif ent.label_ == "ORG":
                    orgs.append((u, ent))
        # Arne “the Walrus” Solheim: a nickname in quote marks between the names
        for u in units:
            for m in _NICKNAMED.finditer(u.doc.text):
                first, last = m.group(1), m.group(3)
                if fold(first) in _title_words() or metonym_government(last):
                    continue
                reg.add_person([first, last], u.start + m.start())
        # full names first so that "Putin" later joins "Vladimir Putin"
        persons.sort(key=lambda p: -len(p[1]))
        for u, ent in persons:
            words = strip_titles(name_words(ent))
            if not words:
                continue
            if metonym_government(" ".join(words)) or fold(" ".join(words)) in DEMONYMS:
                continue
            if looks_like_org(words):
                orgs.append((u, ent))
                continue
            e = reg.add_person(words, u.abs(ent[0])[0])
            e.descriptors |= _describe(ent)
            e.descriptors |= {fold(t.text) for t in ent if fold(t.text).rstrip(".") in _title_words()}
            e.nations |= {DEMONYMS[d] for d in e.descriptors if d in DEMONYMS}
            e.nations |= {COUNTRIES[d] for d in e.descriptors if d in COUNTRIES}
        orgs = [(u, _widen_org(ent)) for u, ent in orgs]
        orgs.sort(key=lambda p: -len(p[1]))
        for u, ent in orgs:
            words = [w for w in name_words(ent) if w.lower() != "the"]
            if not words or metonym_government(" ".join(words)):
                continue
            e = reg.add_org(words, u.abs(ent[0])[0])
            e.descriptors |= _describe(ent)
        reg._count_short_mentions(units)
        return reg

    def _count_short_mentions(self, units: list[Unit]) -> None:
        """A distinctive word of an organisation's name, alone, is a mention too ("Altamira")."""
        key: dict[str, Entity] = {}
        for o in self.orgs:
            for w in o.words:
                if len(w) > 3 and w not in ORG_WORDS and w not in STOP:
                    key.setdefault(w, o)
        if not key:
            return
        for u in units:
            for t in u.doc:
                if t.pos_ == "PROPN" and t.ent_type_ != "PERSON":
                    o = key.get(fold(t.text))
                    if o is not None:
                        o.mention_at(u.abs(t)[0])

    def add_person(self, words: list[str], pos: int) -> Entity:
        folded = [fold(w) for w in words]
        if len(words) == 1:
            cands = [p for p in self.people if folded[0] in p.words]
            if cands:
                best = max(cands, key=lambda p: (folded[0] == fold(p.canonical.split()[-1]), p.last_before(pos)))
                best.mention_at(pos)
                return best
        else:
            for p in self.people:
                pw = [fold(w) for w in p.canonical.split()]
                if folded == pw or (folded[-1] == pw[-1] and set(folded) <= set(pw)):
                    p.mention_at(pos)
                    return p
        e = Entity("person", " ".join(words), set(folded))
        e.mention_at(pos)
        self.people.append(e)
        return e

    def add_org(self, words: list[str], pos: int) -> Entity:
        folded = {fold(w) for w in words}
        for o in self.orgs:
            if folded <= o.words:
                o.mention_at(pos)
                return o
        e = Entity("organization", " ".join(words), folded, descriptors=set(folded))
        e.mention_at(pos)
        self.orgs.append(e)
        return e

    # look-ups -----------------------------------------------------------------

    def person_named(self, words: list[str], pos: int) -> Optional[Entity]:
        folded = [fold(w) for w in words if w not in ("'s", "’s")]
        if not folded:
            return None
        cands = [p for p in self.people if folded[-1] in p.words and set(folded) <= p.words | set(folded[:-1])]
        cands = [p for p in cands if set(folded) <= p.words] or cands
        if not cands:
            return None
        return max(cands, key=lambda p: (p.last_before(pos + 1), len(p.mentions)))

    def org_named(self, words: list[str]) -> Optional[Entity]:
        folded = {fold(w) for w in words if w.lower() != "the"}
        for o in self.orgs:
            if folded and folded <= o.words:
                return o
        return None

    def people_before(self, pos: int) -> list[Entity]:
        """People mentioned before `pos`, most recent first."""
        seen = [(p.last_before(pos), p) for p in self.people]
        return [p for at, p in sorted(seen, key=lambda x: -x[0]) if at >= 0]

    def orgs_before(self, pos: int) -> list[Entity]:
        seen = [(o.last_before(pos), o) for o in self.orgs]
        return [o for at, o in sorted(seen, key=lambda x: -x[0]) if at >= 0]


_TITLES = None
_NICKNAMED = re.compile(r"\b([A-Z][\w'-]+) [“\"«‘]([^”\"»’\n]{1,30})[”\"»’] ([A-Z][\w'-]+)\b")

ORG_WORDS = {
    "laboratorios", "laboratories", "labs", "inc", "ltd", "llc", "plc", "corp", "corporation",
    "company", "co", "group", "holdings", "bank", "air", "airlines", "airways", "capital",
    "partners", "fund", "gmbh", "sa", "ag", "nv", "bv", "spa", "media", "motors", "energy",
    "pharma", "pharmaceuticals", "systems", "technologies", "university", "institute",
    "council", "union", "trust", "association", "ministry", "agency", "court", "party",
    "committee", "commission", "foundation", "federation", "league", "club", "fc", "sk",
    "authority", "office", "department", "service", "services", "news", "times", "post",
}


def _widen_org(ent):
    """"Port of Varna Authority", "Port of Koper": the tagger often leaves out the
    capitalised "Port of" / "Bank of" that opens the name."""
    doc = ent.doc
    lo = ent.start
    if lo >= 2 and doc[lo - 1].lower_ == "of" and doc[lo - 1].text == "of":
        k = lo - 2
        while k >= 0 and doc[k].pos_ in ("PROPN", "NOUN") and doc[k].text[:1].isupper() \
                and not doc[k].is_sent_start and doc[k].ent_type_ in ("", "ORG"):
            k -= 1
        if k < lo - 2:
            return doc[k + 1 : ent.end]
    return ent


def name_words(span) -> list[str]:
    """The words of a name as printed (hyphenated names stay whole), no edge punctuation."""
    words = []
    text = span.text
    doc = span.doc
    j = span.end
    # the tagger sometimes stops at a hyphen: "Park Jin" of "Park Jin-seok"
    while j + 1 < len(doc) and doc[j].text == "-" and not doc[j - 1].whitespace_ and not doc[j].whitespace_:
        text += "-" + doc[j + 1].text
        j += 2
    for w in text.split():
        w = w.strip(",;:()[]\"“”«»")
        if w.endswith(("'s", "’s")):
            w = w[:-2]
        if w and any(c.isalnum() for c in w):
            words.append(w)
    return words


def looks_like_org(words: list[str]) -> bool:
    return any(fold(w).rstrip(".") in ORG_WORDS for w in words)



def _title_words() -> set:
    global _TITLES
    if _TITLES is None:
        from attribution.resolve.names import TITLES
        _TITLES = TITLES
    return _TITLES


def _describe(ent) -> set:
    """Words around an entity that describe it: titles, appositions, relative clauses."""
    doc = ent.doc
    out: set = set()

    def take(tokens):
        for t in tokens:
            if t.is_punct or t.lower_ in STOP or t.ent_iob_ != "O" and t.i >= ent.start and t.i < ent.end:
                continue
            if t.pos_ in ("NOUN", "PROPN", "ADJ", "VERB"):
                out.add(fold(t.lemma_ if t.pos_ in ("NOUN", "VERB") else t.text))
                out.add(fold(t.text))

    # title words right before the name: "Russian President", "Cofepris commissioner"
    i = ent.start - 1
    pre = []
    while i >= 0 and (doc[i].pos_ in ("PROPN", "NOUN", "ADJ") or doc[i].text in ("'s", "’s")) and doc[i].text not in (",",):
        pre.append(doc[i])
        i -= 1
    take(pre)
    root = ent.root
    # apposition either way: "Kessler, the EU ambassador" / "the EU ambassador, Matthias Kessler"
    if root.dep_ == "appos" and root.head.i < ent.start:
        h = root.head
        take(t for t in h.subtree if t.i < ent.start)
    for c in root.children:
        if c.dep_ in ("appos", "relcl", "acl") and c.i >= ent.end:
            take(list(c.subtree)[:14])
    # ", executive secretary of the X Council," right after the name
    j = ent.end
    if j < len(doc) and doc[j].text == ",":
        k = j + 1
        seg = []
        while k < len(doc) and k < j + 14 and doc[k].text not in (",", ".", ";", "“", "\"", "«", "„"):
            seg.append(doc[k])
            k += 1
        if seg and seg[0].lower_ not in ("said", "says", "told", "and"):
            take(seg)
    return out
