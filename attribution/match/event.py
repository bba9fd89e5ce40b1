"""Same-event test between an article and a wire item.

A wire story about another event that shares a phrase with the article is not evidence
(DESIGN.md). Besides the date window, an item must share the article's *names*: the
maximal runs of capitalised words in both texts ("Korea Fair Trade Commission",
"Kim Hye-won", "Solbit"), with titles, months, weekdays and agency names left out, and
the speakers of both sides. The test works without corpus statistics, so that it behaves
the same on a four-item archive as on a large one.
"""

from __future__ import annotations

import re

from attribution.match.align import fold

_CAP_WORD = r"(?:[A-ZÀ-ÖØ-ÞĀ-ſ](?:[\w’'\-&]|\.(?=\w))*|[A-Z]{2,}|\d+(?:[.,]\d+)*(?:-\w+)?)"
_NAME_RE = re.compile(
    rf"{_CAP_WORD}(?:[ \t]+(?:(?:of|de|del|la|van|von|der|al|bin|da|du|and|&)[ \t]+)?{_CAP_WORD})*",
    re.UNICODE,
)
TITLES = set("""mr mrs ms dr prof president prime minister presiding judge chief executive
chairman chairwoman chair secretary general spokesman spokeswoman spokesperson mayor
governor senator ambassador commissioner director head lead investigator minister's
foreign deputy vice king queen prince sir lord lady general colonel captain union leader
leader ceo cfo lawyer analyst professor the a an in on at for and but he she they it we i
his her their its our my this that these those there after before when while if as by with
from to of""".split())
GENERIC = set("""monday tuesday wednesday thursday friday saturday sunday january february
march april may june july august september october november december jan feb mar apr jun
jul aug sep sept oct nov dec reuters afp ap tass interfax associated press agence france
presse updated advertisement photo read more government ministry court commission council
committee office parliament police army state city news today yesterday""".split())


def names(text: str) -> set[str]:
    """Folded name phrases in a text, titles stripped ("Presiding Judge Kim Hye-won" ->
    "kim hye-won"); one-word names only when not sentence-initial common words."""
    out: set[str] = set()
    singles: dict[str, bool] = {}  # one-word name -> seen mid-sentence
    for m in _NAME_RE.finditer(text):
        phrase = m.group(0).strip(" .,'’")
        before = text[max(0, m.start() - 3) : m.start()]
        initial = m.start() == 0 or bool(re.search(r"(?:[.!?:\n]\s*|[.!?]?[\"“”«»„]\s*|^\s*)$", before))
        toks = [fold(t).strip(".,'’") for t in phrase.split()]
        toks = [t[:-2] if t.endswith("'s") else t for t in toks]
        while toks and (toks[0] in TITLES or toks[0] in GENERIC):
            toks = toks[1:]
        while toks and (toks[-1] in TITLES or toks[-1] in GENERIC or toks[-1] in {"of", "and"}):
            toks = toks[:-1]
        if not toks:
            continue
        if all(re.fullmatch(r"[\d.,\-]+\w{0,3}", t) for t in toks):
            continue  # numbers are not names (and are shared by chance)
        if len(toks) == 1:
            t = toks[0]
            if len(t) < 3 or t in _COMMON_INITIALS:
                continue
            # a capitalised word at the start of a sentence is a name only if the text
            # also capitalises it mid-sentence ("Officials said…" is not a name)
            singles[t] = singles.get(t, False) or not initial
            continue
        out.add(" ".join(toks))
    out.update(t for t, mid in singles.items() if mid)
    return out


_COMMON_INITIALS = set("""the a an he she they it we i his her their its our my this that these
those there after before when while if as but and or so yet also however meanwhile
according asked speaking earlier later some many most several both each every all no not
one two three four five six seven eight nine ten""".split())


def name_tokens(ns: set[str]) -> set[str]:
    return {t for n in ns for t in n.split() if len(t) > 2 and not t.isdigit()}


def shared_names(a: set[str], b: set[str]) -> set[str]:
    """Names of `a` found in `b`: the same phrase, or a surname/short form of a longer one
    ("erdogan" ~ "recep tayyip erdogan")."""
    out = set()
    b_tokens = {n: set(n.split()) for n in b}
    for n in a:
        if n in b:
            out.add(n)
            continue
        nt = set(n.split())
        for m, mt in b_tokens.items():
            if len(nt) >= 1 and (nt <= mt or mt <= nt) and min(len(nt), len(mt)) >= 1:
                # a single generic token ("south") must not link "south korea"/"south africa"
                small = nt if len(nt) <= len(mt) else mt
                if len(small) == 1 and next(iter(small)) in _WEAK_SINGLE:
                    continue
                out.add(n)
                break
    return out


_WEAK_SINGLE = set("""south north east west new united central national international
american european korean japanese chinese russian turkish polish czech mexican
norwegian""".split())


def event_score(article_names: set[str], item_names: set[str]) -> int:
    return len(shared_names(article_names, item_names))
