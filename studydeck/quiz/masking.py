"""No giveaways: a paper's own names masked out of the text that should identify it.

Masked: the short names (Abbr. column, method label), the title's acronym, the title's
significant words and, for CJK titles, any two or more characters of the title.
A clue must still say enough after masking: at least ``MIN_CLUE`` "units", where a CJK
character is one unit and a Latin word two (so ~8 CJK characters or ~4 English words).
"""

from __future__ import annotations

import re

from studydeck.models import Paper
from studydeck.naming import acronym, short_names, title_words
from studydeck.rendering import to_plain

MASK = "▢▢▢"
MIN_CLUE = 8

_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-']*")


def giveaways(p: Paper) -> list[str]:
    """What must not appear in a clue about ``p``, longest first."""
    names = list(short_names(p.short_name, p.contribution))
    a = acronym(p.title)
    if a and len(a) >= 2:
        names.append(a)
    words = [w for w in title_words(p.title) if len(w) >= 3 or _CJK.match(w)]
    out: list[str] = []
    for w in [*names, *words]:
        if _CJK.match(w):
            out += [w[i:j] for i in range(len(w)) for j in range(i + 2, len(w) + 1)]
        else:
            out.append(w)
    return sorted(set(out), key=lambda s: (-len(s), s))


def _pattern(term: str) -> str:
    if _CJK.match(term):
        return re.escape(term)
    return rf"(?<![A-Za-z0-9]){re.escape(term)}(?![A-Za-z0-9])"


def mask(text: str, p: Paper) -> str:
    """``text`` with ``p``'s names replaced by ``▢▢▢`` (case-insensitive, whole words)."""
    terms = giveaways(p)
    if not terms:
        return text
    rx = re.compile("|".join(_pattern(t) for t in terms), re.I)
    out = rx.sub(MASK, text)
    return re.sub(rf"{MASK}(?:[\s\-]*{MASK})+", MASK, out)


def clue_units(text: str) -> int:
    plain = to_plain(text).replace(MASK, " ")
    return len(_CJK.findall(plain)) + 2 * len(_LATIN_WORD.findall(plain))


def says_enough(text: str) -> bool:
    """Enough left, after masking, to identify a paper (not "有点失望。")."""
    return clue_units(text) >= MIN_CLUE


def key(text: str) -> str:
    return re.sub(r"[\W_]+", "", to_plain(text).casefold())
