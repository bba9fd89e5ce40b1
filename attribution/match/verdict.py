"""Verdict rules: from one alignment to one wire's verdict, and from all wires' verdicts
to the quote's verdict (DESIGN.md, "Verdicts").

Similarity finds candidates; the word-level diff decides. In particular ``altered``
never comes from a similarity score: it needs a *meaning* difference (number, negation,
entity, modal) inside an otherwise close alignment, which is what tells an edited quote
from an honest second translation (those differ everywhere, a little).

Per wire (``judge``):

* ``confirmed`` - same words modulo case, diacritics, punctuation, brackets, ellipses and
  US/UK spelling; one side may be an excerpt of the other; the speakers agree (or the
  wire text has no speaker);
* ``misattributed`` - the same near-verbatim words given to someone else;
* ``altered`` - a close alignment (most words equal) whose differences include a number,
  date, negation, name or modal/scope word; or exactly one content word swapped and
  nothing else changed ("troops" -> "border");
* ``paraphrased`` - the same speaker says the same thing in other words: most content
  words shared, or (with embeddings) a high cosine;
* ``None`` - this wire text is not evidence for the quote.

Across wires (``decide``): confirmed beats everything (one confirming wire is enough);
then the closest same-speaker version decides between altered and paraphrased; a
near-verbatim copy under another name is misattributed only when no wire has the
statement for the article's speaker; nothing left is unverified.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Sequence

from attribution.match.align import Alignment, fold

# thresholds (see benchmarks/verdicts.py for how they were measured)
ALTERED_CLOSENESS = 0.74  # matched words / longer side of the aligned core
ALTERED_SOFT_CLOSENESS = 0.84  # one content word swapped, nothing else
VERBATIM_CLOSENESS = 0.84  # misattributed: near-verbatim under another name
EXCERPT_COVERAGE = 0.8  # the shorter side must be (almost) all matched
PARAPHRASE_OVERLAP = 0.5  # content stems shared / shorter side's
PARAPHRASE_OVERLAP_MIN_WORDS = 3
PARAPHRASE_COSINE = 0.72
PARAPHRASE_COSINE_WEAK = 0.62  # with some content overlap as well


# --------------------------------------------------------------------------- speakers

_GENERIC = {"the", "of", "government", "in", "and", "a", "an", "s"}


def norm_name(name: str) -> str:
    n = fold(name or "")
    n = re.sub(r"\s*-\s*", "-", n)
    n = re.sub(r"^(the|a|an)\s+", "", n)
    n = re.sub(r"'s$", "", n)
    return " ".join(n.split())


def _tokens(n: str) -> set[str]:
    return {t for t in re.split(r"[\s\-.]+", n) if t and t not in _GENERIC}


def _government(name: str) -> Optional[str]:
    """'Government of Turkey' for 'Turkey', 'Ankara', 'the government in Warsaw', …"""
    n = norm_name(name)
    if n.startswith("government of "):
        return n
    try:
        from attribution.resolve.names import metonym_government
    except ImportError:  # pragma: no cover
        return None
    for cand in (name, re.sub(r"^(?:the\s+)?(?:\w+\s+)?government\s+(?:in|of)\s+", "", name, flags=re.I),
                 re.sub(r"\s+government$", "", name, flags=re.I)):
        g = metonym_government(cand.strip())
        if g:
            return norm_name(g)
    return None


def _acronym(short: str, long: str) -> bool:
    s = short.replace(".", "").replace(" ", "").lower()
    if not (2 <= len(s) <= 6) or " " in short.strip():
        return False
    initials = "".join(t[0] for t in re.split(r"[\s\-]+", long.lower()) if t and t not in ("of", "the", "and"))
    return s == initials


_CONNECTORS = {"of", "the", "and", "for", "de", "del", "la", "van", "von", "der", "al", "bin", "&", "-"}


def _is_resolved(name: str, type_: str = "") -> bool:
    """A real name (capitalised), not an unresolved role ("port authority", "union") or a
    stray phrase ("Every docker whose job changes…")."""
    if not name or not name.strip():
        return False
    words = name.split()
    if len(words) > 7:
        return False
    if not all(w[:1].isupper() or w.lower() in _CONNECTORS or not w[:1].isalpha() for w in words):
        return False
    return True


_GOV_ROLES = re.compile(r"\b(government|president'?s office|presidency|kremlin|cabinet|ministry|"
                        r"prime minister'?s office|administration|spokes(?:man|woman|person)|officials?)\b")


def speaker_relation(article: str, wire: str, article_type: str = "", wire_type: str = "") -> str:
    """'same', 'different' or 'unknown' (either side has no resolved speaker)."""
    a, w = norm_name(article), norm_name(wire)
    if not a or not w:
        return "unknown"
    if a == w:
        return "same"
    ga, gw = _government(article), _government(wire)
    if ga and gw:
        return "same" if ga == gw else "different"
    if ga and not _is_resolved(wire, wire_type) and _GOV_ROLES.search(w):
        return "same"  # "the president's office", "the government" for Government of X
    if gw and not _is_resolved(article, article_type) and _GOV_ROLES.search(a):
        return "same"
    ta, tw = _tokens(a), _tokens(w)
    if ta and tw and (ta <= tw or tw <= ta):
        return "same"
    if _acronym(wire, a) or _acronym(article, w):
        return "same"
    if not _is_resolved(article, article_type) or not _is_resolved(wire, wire_type):
        return "unknown"
    # a government and a named organisation in it ("Government of Poland" / "Polish
    # government") are handled above; everything else with two real names differs
    return "different"


# --------------------------------------------------------------------------- judge


@dataclass
class Comparison:
    """One article quote against one wire text."""

    alignment: Alignment
    overlap: float  # content-stem overlap (0..1) of the shorter side
    shared_content: int  # content stems shared
    cosine: Optional[float]  # MiniLM cosine, when embeddings are on
    speaker: str  # 'same' | 'different' | 'unknown'
    source: str  # 'quote' | 'sentence'
    verdict: Optional[str] = None
    shared_bigram: bool = False  # two content words in a row on both sides ("rubber stopper")

    @property
    def closeness(self) -> float:
        return self.alignment.closeness


def _excerpt(al: Alignment) -> bool:
    return al.matched >= 1 and al.coverage >= EXCERPT_COVERAGE


def _hard_meaning(al: Alignment) -> list:
    return [c for c in al.meaning_changes() if not (c.kind == "entity" and getattr(c, "soft", False))]


def judge(c: Comparison) -> Optional[str]:
    al = c.alignment
    if al.matched == 0:
        return _paraphrase(c)
    non_trivial = [x for x in al.changes if x.kind not in ("punctuation", "spelling")]
    inner = [x for x in non_trivial if not x.edge]
    edge_meaning = [x for x in non_trivial if x.edge and x.kind in ("number", "negation", "entity", "modal")]
    # confirmed / misattributed: the same words
    if not inner and not edge_meaning and _excerpt(al) and (al.matched >= 3 or al.matched == min(al.a_words, al.w_words)):
        if c.speaker == "different":
            return "misattributed"
        return "confirmed"
    meaning = al.meaning_changes()
    hard = [x for x in meaning if not x.soft]
    soft = [x for x in meaning if x.soft]
    content_wording = [x for x in non_trivial if x.kind == "wording" and _has_content(x)]
    if al.matched >= 4 and al.coverage >= 0.5:
        if hard and al.closeness >= ALTERED_CLOSENESS:
            return "misattributed" if c.speaker == "different" and al.closeness >= VERBATIM_CLOSENESS else (
                None if c.speaker == "different" else "altered")
        if soft and len(soft) == 1 and not content_wording and al.closeness >= ALTERED_SOFT_CLOSENESS:
            return None if c.speaker == "different" else "altered"
        if c.speaker == "different" and al.closeness >= VERBATIM_CLOSENESS and al.coverage >= EXCERPT_COVERAGE:
            return "misattributed"
    return _paraphrase(c)


def _has_content(ch) -> bool:
    from attribution.match.align import PRONOUNS, STOPWORDS, tokenize

    return any(t.is_word and t.key not in STOPWORDS and t.key not in PRONOUNS
               for t in tokenize(ch.article + " " + ch.wire))


def _paraphrase(c: Comparison) -> Optional[str]:
    if c.speaker != "same":
        return None
    if c.overlap >= PARAPHRASE_OVERLAP and c.shared_content >= PARAPHRASE_OVERLAP_MIN_WORDS:
        return "paraphrased"
    if c.overlap >= 0.4 and c.shared_content >= 2 and c.shared_content / c.overlap <= 5 and c.shared_bigram:
        return "paraphrased"  # a short fragment: a content-word pair of at most five kept
    if c.cosine is not None:
        if c.cosine >= PARAPHRASE_COSINE and c.shared_content >= 1:
            return "paraphrased"
        if c.cosine >= PARAPHRASE_COSINE_WEAK and c.overlap >= 0.3 and c.shared_content >= 2:
            return "paraphrased"
    return None


# --------------------------------------------------------------------------- decide

_RANK = {"confirmed": 0, "altered": 1, "paraphrased": 2, "misattributed": 3}


def decide(comparisons: Sequence[Comparison]) -> tuple[str, Optional[Comparison]]:
    """The quote's verdict and the comparison that decided it."""
    judged = [c for c in comparisons if c.verdict]
    if not judged:
        return "unverified", None

    def best(pred):
        cs = [c for c in judged if pred(c)]
        if not cs:
            return None
        return max(cs, key=lambda c: (c.alignment.matched > 0 and c.closeness, c.overlap, c.cosine or 0))

    # 1. a wire with the same words for the same speaker (or a wire text with no speaker)
    altered_all = [c for c in judged if c.verdict == "altered"]
    for rel in ("same", "unknown"):
        c = best(lambda c: c.verdict == "confirmed" and c.speaker == rel)
        if c:
            # a confirmation of one part of the quote does not cover a change elsewhere
            # in it ("…first year. If it works, … at four more crossings")
            lo, hi = c.alignment.a_lo, c.alignment.a_hi
            for a in sorted(altered_all, key=lambda x: -x.closeness):
                if any(ch.a_at >= 0 and not (lo <= ch.a_at < hi) for ch in a.alignment.meaning_changes()):
                    return "altered", a
            return "confirmed", c
    # 2. the closest same-speaker version decides between altered and paraphrased
    same = [c for c in judged if c.speaker in ("same", "unknown") and c.verdict in ("altered", "paraphrased")]
    if same:
        altered = [c for c in same if c.verdict == "altered"]
        if altered:
            pick = max(altered, key=lambda c: (c.speaker == "same", c.closeness))
            return "altered", pick
        pick = max(same, key=lambda c: (c.speaker == "same", c.overlap + (c.cosine or 0)))
        return "paraphrased", pick
    # 3. near-verbatim under another name
    c = best(lambda c: c.verdict == "misattributed")
    if c:
        return "misattributed", c
    return "unverified", None
