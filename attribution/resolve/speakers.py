"""Speaker resolution: from the words at the cue to a canonical person or body.

Methods (DESIGN.md): name, pronoun, role, metonym, according_to, carryover.
Quotes are resolved in document order so that a carry-over paragraph and a
pronoun can lean on the speakers before them.
"""

from __future__ import annotations

from typing import Optional

from attribution.detect.rules import RawQuote
from attribution.model import Span, Speaker
from attribution.resolve.names import (
    DEMONYMS, PRONOUNS, fold, is_country, metonym_government, strip_titles,
)
from attribution.resolve.registry import Entity, Registry, looks_like_org, name_words

SPOKES = {"spokesman", "spokeswoman", "spokesperson", "representative", "press", "office",
          "statement", "spokespeople", "aide", "aides"}
ORG_HEADS = {"court", "commission", "council", "company", "firm", "league", "authority",
             "union", "trust", "ministry", "agency", "regulator", "government", "department",
             "committee", "board", "group", "association", "alliance", "bank", "club", "fund",
             "airline", "carrier", "operator", "manufacturer", "maker", "campaign", "party",
             "office", "police", "army", "military", "administration", "organization",
             "organisation", "institute", "university", "service", "parliament", "senate",
             "congress", "cabinet", "tribunal", "prosecutor", "prosecutors", "inspectorate",
             "network", "newspaper", "paper", "channel", "station", "report", "study", "survey",
             "poll", "statement", "consortium", "developer", "insurer", "lab", "laboratory"}
COMPANY_HEADS = {"company", "firm", "group", "maker", "manufacturer", "operator", "airline",
                 "carrier", "developer", "insurer", "consortium", "lab", "laboratory"}
COMPANY_NAME_WORDS = {"laboratorios", "laboratories", "labs", "inc", "ltd", "llc", "plc", "corp",
                      "corporation", "company", "co", "group", "holdings", "air", "airlines",
                      "airways", "capital", "partners", "gmbh", "sa", "ag", "nv", "bv", "spa",
                      "motors", "pharma", "pharmaceuticals", "systems", "technologies"}
GENERIC_PERSON_HEADS = {"leader", "counterpart", "official", "man", "woman", "politician",
                        "head", "chief", "boss"}
LEADER_WORDS = {"president", "minister", "premier", "chancellor", "leader", "chief", "head",
                "chairman", "chairwoman", "king", "governor", "mayor"}


def _span(u, toks) -> Optional[Span]:
    if not toks:
        return None
    a = u.abs(toks[0])[0]
    b = u.abs(toks[-1])[1]
    return Span(a, b, u.doc.text[toks[0].idx : toks[-1].idx + len(toks[-1].text)])


class SpeakerResolver:
    def __init__(self, registry: Registry):
        self.reg = registry
        self.last: Optional[Speaker] = None  # speaker of the previous quote
        self.last_entity: Optional[Entity] = None

    def resolve_all(self, raws: list[RawQuote]) -> list[Speaker]:
        out = []
        for rq in raws:
            sp, ent = self._resolve(rq)
            out.append(sp)
            if sp.name:
                self.last, self.last_entity = sp, ent
        return out

    # ------------------------------------------------------------------------

    def _resolve(self, rq: RawQuote) -> tuple[Speaker, Optional[Entity]]:
        if rq.mention is None:
            if self.last is not None:
                sp = self.last
                return Speaker(sp.name, sp.type, "carryover", None, 0.8), self.last_entity
            ent = next(iter(self.reg.people_before(rq.anchor)), None)
            if ent is not None:
                return Speaker(ent.canonical, "person", "carryover", None, 0.5), ent
            return Speaker("", "unknown", "carryover", None, 0.0), None
        u = rq.unit
        m = rq.mention
        mention = _span(u, list(m))
        sp, ent = self._from_mention(m, rq.anchor, mention)
        if rq.hint == "according_to":
            sp = Speaker(sp.name, sp.type, "according_to", sp.mention, sp.confidence)
        return sp, ent

    def _from_mention(self, m, pos: int, mention: Optional[Span]) -> tuple[Speaker, Optional[Entity]]:
        toks = [t for t in m if not t.is_punct or t.text == "-"]
        low = [t.lower_ for t in toks]
        # pronoun
        if len(toks) == 1 and low[0] in PRONOUNS:
            return self._pronoun(toks[0], pos, mention)
        # metonym: a capital, a seat of government, a country
        text = " ".join(t.text for t in toks)
        gov = metonym_government(text)
        if gov is not None:
            kind = "government" if gov.startswith("Government of") else "organization"
            return Speaker(gov, kind, "metonym", mention, 0.9), None
        # a person named in the mention
        pers = [e for e in m.ents if e.label_ == "PERSON"]
        if not pers:
            pers = _proper_run(m)
        if not pers:
            # a person the registry knows, tagged otherwise in this sentence
            for e in m.ents:
                ent = self.reg.person_named(strip_titles(name_words(e)), pos) if e.label_ in ("ORG", "NORP") else None
                if ent is not None:
                    return Speaker(ent.canonical, "person", "name", mention, 0.9), ent
        if pers and looks_like_org(name_words(pers[0])):
            orgs_named = [pers[0]]
            pers = []
        else:
            orgs_named = []
        if pers:
            words = strip_titles(name_words(pers[0]))
            ent = self.reg.person_named(words, pos) if words else None
            name = ent.canonical if ent else " ".join(words)
            if name and metonym_government(name) is None:
                return Speaker(name, "person", "name", mention, 0.95), ent
        orgs = orgs_named + [e for e in m.ents if e.label_ in ("ORG", "NORP", "GPE", "FAC")]
        head = m.root
        if orgs:
            o = orgs[0]
            words = [w for w in name_words(o) if w.lower() != "the"]
            if o.label_ == "GPE" and is_country(" ".join(words)):
                gov = metonym_government(" ".join(words))
                if head.lemma_.lower() in SPOKES or head.i in [t.i for t in o]:
                    return Speaker(gov, "government", "metonym", mention, 0.85), None
            if o.label_ in ("ORG", "FAC", "PERSON") or head.i in [t.i for t in o]:
                ent = self.reg.org_named(words)
                name = ent.canonical if ent else " ".join(words)
                method = "according_to" if head.lemma_.lower() in SPOKES and head.i not in [t.i for t in o] else "name"
                return Speaker(name, "organization", method, mention, 0.9), ent
        return self._role(m, pos, mention)

    def _pronoun(self, tok, pos: int, mention) -> tuple[Speaker, Optional[Entity]]:
        p = tok.lower_
        if p in ("who", "which", "that"):
            # relative pronoun: the noun the clause hangs on
            v = tok.head
            if v.dep_ == "relcl":
                head = v.head
                np = head.doc[head.left_edge.i : head.i + 1]
                sp, ent = self._from_mention(np, pos, mention)
                return Speaker(sp.name, sp.type, "pronoun", mention, sp.confidence * 0.9), ent
        gender = PRONOUNS.get(p)
        if gender in ("m", "f", "s"):
            # most recent person in the same paragraph, else the last speaker
            para_start = tok.doc[0].idx
            for ent in self.reg.people_before(pos):
                if ent.gender not in (None, gender) and gender in ("m", "f"):
                    continue
                at = ent.last_before(pos)
                u_start = pos - (tok.idx - para_start)
                if at >= u_start:
                    if gender in ("m", "f"):
                        ent.gender = gender
                    return Speaker(ent.canonical, "person", "pronoun", mention, 0.8), ent
                break
            if self.last is not None and self.last.type == "person" and (
                self.last_entity is None or self.last_entity.gender in (None, gender)
            ):
                if self.last_entity is not None and gender in ("m", "f"):
                    self.last_entity.gender = gender
                return Speaker(self.last.name, "person", "pronoun", mention, 0.75), self.last_entity
            for ent in self.reg.people_before(pos):
                if ent.gender in (None, gender) or gender not in ("m", "f"):
                    return Speaker(ent.canonical, "person", "pronoun", mention, 0.6), ent
            return Speaker("", "unknown", "pronoun", mention, 0.0), None
        # they / it / we: the last speaking body, else the latest organisation
        if self.last is not None and self.last.type in ("organization", "government", "group"):
            return Speaker(self.last.name, self.last.type, "pronoun", mention, 0.6), self.last_entity
        orgs = self.reg.orgs_before(pos)
        if orgs:
            return Speaker(orgs[0].canonical, "organization", "pronoun", mention, 0.5), orgs[0]
        return Speaker("", "group" if p in ("they", "we") else "unknown", "pronoun", mention, 0.0), None

    def _role(self, m, pos: int, mention) -> tuple[Speaker, Optional[Entity]]:
        head = m.root
        h = fold(head.lemma_)
        mods = {fold(t.text) for t in m if t.i != head.i and not t.is_punct and t.pos_ in ("ADJ", "NOUN", "PROPN")}
        mods |= {fold(t.lemma_) for t in m if t.i != head.i and t.pos_ == "NOUN"}
        nations = {DEMONYMS[w] for w in mods if w in DEMONYMS}
        plural = head.tag_ in ("NNS", "NNPS")
        if h in SPOKES and not plural:
            # "the ministry's spokesman": the body speaks
            owner = [t for t in m if t.dep_ == "poss" and t.head.i == head.i]
            if owner:
                sub = owner[0].doc[owner[0].left_edge.i : owner[0].i + 1]
                sp, ent = self._from_mention(sub, pos, mention)
                return Speaker(sp.name, sp.type, "according_to", mention, sp.confidence * 0.9), ent
        if h in ORG_HEADS and not plural:
            best = self._best_org(h, mods, pos)
            if best is not None:
                return Speaker(best.canonical, "organization", "role", mention, 0.75), best
        if not plural:
            best = self._best_person(h, mods, nations, pos)
            if best is not None:
                return Speaker(best.canonical, "person", "role", mention, 0.75), best
            if h not in ORG_HEADS and self.last is not None and self.last.type == "person":
                return Speaker(self.last.name, "person", "role", mention, 0.5), self.last_entity
        words = [t.text for t in m if t.lower_ not in ("the", "a", "an") and not t.is_punct]
        name = " ".join(words)
        return Speaker(name, "group" if plural else "unknown", "role", mention, 0.3), None

    def _best_person(self, h: str, mods: set, nations: set, pos: int) -> Optional[Entity]:
        scored = []
        for ent in self.reg.people_before(pos + 1):
            if nations and ent.nations and not (nations & ent.nations):
                continue
            s = 0.0
            if h in ent.descriptors:
                s += 2
            elif h in GENERIC_PERSON_HEADS:
                if h == "counterpart" or ent.descriptors & LEADER_WORDS or h in ("official", "man", "woman"):
                    s += 1
            else:
                continue
            s += sum(1 for w in mods if w in ent.descriptors)
            s += 1.5 * len(nations & ent.nations)
            if h == "counterpart" and nations and not (nations & ent.nations):
                continue
            scored.append((s, ent.last_before(pos + 1), ent))
        if not scored:
            return None
        scored.sort(key=lambda x: (-x[0], -x[1]))
        return scored[0][2]

    def _best_org(self, h: str, mods: set, pos: int) -> Optional[Entity]:
        scored = []
        for ent in self.reg.orgs:
            s = 0.0
            if h in ent.descriptors:
                s += 2
            elif h in COMPANY_HEADS and not ent.descriptors & {"court", "commission", "council", "ministry",
                                                                "government", "authority", "league", "union"}:
                s += 0.5
            else:
                continue
            s += sum(1 for w in mods if w in ent.descriptors)
            dist = min(abs(m - pos) for m in ent.mentions)
            if h in COMPANY_HEADS and ent.last_before(pos) >= 0:
                s += 1  # "the company": one the story has already named
            if h in COMPANY_HEADS and ent.words & COMPANY_NAME_WORDS:
                s += 0.5
            scored.append((s, dist, -len(ent.mentions), ent))
        if not scored:
            return None
        scored.sort(key=lambda x: (-x[0], x[1], x[2]))
        return scored[0][3]


def _proper_run(m) -> list:
    """A run of capitalised proper nouns the NER did not tag (foreign names)."""
    toks = [t for t in m if t.pos_ == "PROPN" and t.ent_type_ in ("", "PERSON", "NORP") and t.text[:1].isupper()]
    if not toks or m.root.pos_ != "PROPN":
        return []
    if any(t.ent_type_ in ("ORG", "GPE", "FAC", "LOC") for t in m if t.pos_ == "PROPN"):
        return []
    run = [m.root]
    i = m.root.i - 1
    while i >= m.start and m.doc[i].pos_ == "PROPN":
        run.insert(0, m.doc[i])
        i -= 1
    return [m.doc[run[0].i : run[-1].i + 1]]
