"""Constrained decoding: the best tag sequence in which every I-X follows B-X or I-X."""

from __future__ import annotations

from typing import Optional, Sequence

from attribution.tagger import TAGS

NEG = -1e9


def allowed(prev: str, cur: str) -> bool:
    if cur.startswith("I-"):
        return prev in ("B-" + cur[2:], cur)
    return True


_ALLOWED = [[allowed(p, c) for c in TAGS] for p in TAGS]
_START_OK = [not t.startswith("I-") for t in TAGS]


def viterbi(scores: Sequence[Sequence[float]], trans: Optional[Sequence[Sequence[float]]] = None,
            start: Optional[Sequence[float]] = None, end: Optional[Sequence[float]] = None) -> list[int]:
    """Tag ids maximising the summed per-word scores (log-probabilities, or CRF emissions
    with `trans`[prev][cur], `start` and `end` scores) under the BIO constraints."""
    n = len(scores)
    if n == 0:
        return []
    k = len(TAGS)
    tr = trans or [[0.0] * k for _ in range(k)]
    st = start or [0.0] * k
    best = [scores[0][j] + st[j] if _START_OK[j] else NEG for j in range(k)]
    back: list[list[int]] = []
    for i in range(1, n):
        row = scores[i]
        nb, bp = [0.0] * k, [0] * k
        for j in range(k):
            arg, val = 0, NEG * 2
            for p in range(k):
                v = best[p] + tr[p][j]
                if _ALLOWED[p][j] and v > val:
                    arg, val = p, v
            nb[j] = val + row[j]
            bp[j] = arg
        best = nb
        back.append(bp)
    if end:
        best = [b + e for b, e in zip(best, end)]
    j = max(range(k), key=lambda x: best[x])
    path = [j]
    for bp in reversed(back):
        j = bp[j]
        path.append(j)
    path.reverse()
    return path


def spans(tags: Sequence[int]) -> list[tuple[str, int, int]]:
    """(role, first word, last word + 1) for each B-… I-… run."""
    out = []
    role, start = None, 0
    for i, t in enumerate(list(tags) + [0]):
        name = TAGS[t]
        if name.startswith("B-") or name == "O":
            if role is not None:
                out.append((role, start, i))
                role = None
            if name.startswith("B-"):
                role, start = name[2:], i
    return out
