"""Stable keys for papers and cards.

A paper's key is its link when the title is a link (so fixing a typo in the
title keeps the paper), otherwise its normalised title; a section is added only
when the same title stands in several sections. A card's id is a short hash of
the paper key plus the card kind: it never depends on the answer text.
"""

from __future__ import annotations

import base64
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from studydeck import digests
from studydeck.models import CardKind, Paper
from studydeck.rendering import replace_links

_MD_MARKS = re.compile(r"[*_`~]+")
_SPACE = re.compile(r"\s+")


def normalise_title(title: str) -> str:
    """Case-folded title text with links, Markdown marks and extra space removed."""
    text = unicodedata.normalize("NFKC", title)
    text = replace_links(text, lambda label, _url: label)  # linear: see md_links
    text = _MD_MARKS.sub("", text)
    return _SPACE.sub(" ", text).strip().casefold()


def normalise_url(url: str) -> str:
    """A URL without scheme, ``www.``, fragment and trailing slash; host lower-cased."""
    u = url.strip()
    u = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", u)
    u = u.split("#", 1)[0]
    host, sep, rest = u.partition("/")
    host = host.lower().removeprefix("www.")
    return (host + sep + rest).rstrip("/")


def paper_key(title: str, url: str | None, section: str = "", *, by_section: bool = False) -> str:
    base = f"url:{normalise_url(url)}" if url else f"title:{normalise_title(title)}"
    if by_section:
        return f"{normalise_title(section)}/{base}"
    return base


def card_id(key: str, kind: CardKind) -> str:
    return card_id_prefix(key) + kind.value


def card_id_prefix(key: str) -> str:
    """What every card id of the paper ``key`` starts with (the kind follows): hashed once
    per paper when its cards are made together."""
    return digests.blake2b(key.encode("utf-8"), digest_size=_PAPER_BYTES).hexdigest() + "/"


_PAPER_BYTES = 8
PAPER_HASH = f"[0-9a-f]{{{2 * _PAPER_BYTES}}}"
"""What a card id has before its ``/`` (:func:`card_id_prefix`), as a regular expression:
a line of another device's review log names a paper so or is skipped."""


def duplicates(keys: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    dup: set[str] = set()
    for k in keys:
        (dup if k in seen else seen).add(k)
    return dup


@dataclass(frozen=True, slots=True)
class StoredPaper:
    """What the store remembers of a paper, to recognise it under a new key."""

    key: str
    title: str
    url: str | None
    year: int | None
    figures: frozenset[str]
    section: str = ""


def new_paper_id() -> str:
    """A permanent paper id: random, assigned once when the paper is first seen."""
    import uuid  # (imports here: rename matching and new ids are rare; a warm start is not)

    return base64.b32encode(uuid.uuid4().bytes[:10]).decode("ascii").lower()


def anki_guid(paper_id: str) -> str:
    """A GUID from the permanent id, for a paper whose first key another paper already had."""
    return f"sd-{paper_id}"


def key_guid(key: str) -> str:
    """A paper's Anki GUID, fixed from the key under which it was first seen and then kept
    with its permanent id through every rename. Taken from the first key (not drawn at
    random) so that a second machine with a fresh store, and exports made before the store
    kept ids, give the same notes the same GUIDs."""
    import genanki

    return str(genanki.guid_for("studydeck", key))


def _typo(a: str, b: str) -> bool:
    """The same title but for a slip: same words, at most one of them misspelt
    ("Normalizaton"); a different word ("Recognition" → "Restoration") is another paper."""
    from difflib import SequenceMatcher

    wa, wb = a.split(), b.split()
    if len(wa) != len(wb):
        # one word added or dropped (an article, a colon-joined part): only for long titles
        return len(wa) + len(wb) >= 10 and SequenceMatcher(None, wa, wb).ratio() >= 0.9
    diff = [(x, y) for x, y in zip(wa, wb, strict=True) if x != y]
    return len(diff) <= 1 and all(SequenceMatcher(None, x, y).ratio() >= 0.8 for x, y in diff)


def rename_score(paper: Paper, old: StoredPaper) -> int:
    """How sure we are that ``paper`` is ``old`` renamed: 0 not at all, >= 2 a match.

    A strong signal (the same link, the same figure) alone is enough; otherwise the title
    must be the same or differ by a typo, and one more signal must agree (same year, same
    section). Near titles of the same year are not enough: "…for Image Recognition" and
    "…for Image Restoration" are two papers. Among rows with a strong signal, the one whose
    title and year agree too is surer: a new row that reuses the figure of a paper renamed
    in the same edit (its title linked, a typo fixed) does not take that paper's place.
    """
    na, nb = normalise_title(paper.title), normalise_title(old.title)
    same_title = bool(na) and na == nb
    near_title = bool(na) and not same_title and _typo(na, nb)
    same_year = paper.year is not None and paper.year == old.year
    link = bool(paper.url and old.url and normalise_url(paper.url) == normalise_url(old.url))
    if link or (old.figures and any(f.src in old.figures for f in paper.figures)):
        # (the link before the figure: a figure is shared more often than a link)
        return (20 if link else 10) + 4 * same_title + 2 * near_title + same_year
    if not (same_title or near_title):
        return 0
    title = 2 if same_title else 1
    section = int(normalise_title(paper.section) == normalise_title(old.section))
    if paper.year is not None and old.year is not None and paper.year != old.year:
        return 0  # a different year is a different paper (or edition)
    if not (same_year or section):
        return 0
    return 1 + title + same_year + section


def match_renames(papers: Sequence[Paper], missing: Mapping[str, StoredPaper]) -> dict[str, str]:
    """New key -> stored key, for the new rows that rename stored papers gone from the notes.

    Best pairs first (so the same title in a second section leaves the paper with the row
    in its old section), each stored paper and each row used once; ties go to file order.
    """
    pairs = []
    for i, paper in enumerate(papers):
        for j, (key, old) in enumerate(missing.items()):
            score = rename_score(paper, old)
            if score >= 2:
                pairs.append((-score, i, j, paper.key, key))
    pairs.sort()
    out: dict[str, str] = {}
    used: set[str] = set()
    for _, _, _, new, old_key in pairs:
        if new not in out and old_key not in used:
            out[new] = old_key
            used.add(old_key)
    return out
