"""No giveaways: a paper's own names masked out of the text that should identify it.

A clue is masked with its own paper's names (:func:`mask`). Options quoting contributions
are not masked but have names left out (:func:`fair_options`): each loses its leading
method label, and the names of every paper of the question are taken out of every option
alike, so no option carries a mark. (Masking each with its own paper's names marked the
distractors: the asked paper's contribution often has no label. Masking every paper's
names in every option still left the answer alone with a ``▢▢▢`` where it names itself,
a hole the asked paper's title, on screen, fills.)

Masked: the short names (Abbr. column, method label), the title's acronym, the title's
significant words and, for CJK titles, any two or more characters of the title.
A clue must still say enough after masking: at least ``MIN_CLUE`` "units", where a CJK
character is one unit and a Latin word two (so ~8 CJK characters or ~4 English words).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from studydeck.models import Paper
from studydeck.naming import acronym, short_names, title_words, without_label
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


def _masked(text: str, terms: Sequence[str]) -> str:
    if not terms:
        return text
    rx = re.compile("|".join(_pattern(t) for t in terms), re.I)
    out = rx.sub(MASK, text)
    return re.sub(rf"{MASK}(?:[\s\-]*{MASK})+", MASK, out)


def mask(text: str, p: Paper) -> str:
    """``text`` with ``p``'s names replaced by ``▢▢▢`` (case-insensitive, whole words)."""
    return _masked(text, giveaways(p))


def fair_options(texts: Sequence[str], papers: Sequence[Paper]) -> list[str]:
    """Options quoting ``papers``' contributions (``texts``), shown without a mark that
    tells one from another: each without its leading method label, and in each the names
    of every one of ``papers`` left out (not masked: an option's ``▢▢▢`` would be a mark,
    and beside the asked paper's title on screen a hole that title fills)."""
    terms = sorted({t for p in papers for t in giveaways(p)}, key=lambda s: (-len(s), s))
    return [_left_out(_masked(without_label(t), terms)) for t in texts]


_AROUND = re.compile(rf"\s*(?:[(（]\s*\**{MASK}\**\s*[)）]|\*\*{MASK}\*\*|{MASK})\s*")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
_WIDE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _left_out(text: str) -> str:
    """``text`` with each ``▢▢▢`` and the space around it taken out (one space kept
    between two Latin words, or where a space was and not between two CJK characters),
    and no separator left opening or closing it."""

    def gap(m: re.Match[str]) -> str:
        before, after = text[m.start() - 1 : m.start()], text[m.end() : m.end() + 1]
        if _ASCII_WORD.match(before) and _ASCII_WORD.match(after):
            return " "
        spaced = before and after and m.group(0) != m.group(0).strip()
        return " " if spaced and not (_WIDE.match(before) and _WIDE.match(after)) else ""

    out = _AROUND.sub(gap, text)
    return out.strip(" \t,，、:：;；-–—")


def clue_units(text: str) -> int:
    plain = to_plain(text).replace(MASK, " ")
    return len(_CJK.findall(plain)) + 2 * len(_LATIN_WORD.findall(plain))


def says_enough(text: str) -> bool:
    """Enough left, after masking, to identify a paper (not "有点失望。")."""
    return clue_units(text) >= MIN_CLUE


def key(text: str) -> str:
    return re.sub(r"[\W_]+", "", to_plain(text).casefold())
