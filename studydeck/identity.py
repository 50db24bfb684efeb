"""Stable keys for papers and cards.

A paper's key is its link when the title is a link (so fixing a typo in the
title keeps the paper), otherwise its normalised title; a section is added only
when the same title stands in several sections. A card's id is a short hash of
the paper key plus the card kind: it never depends on the answer text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher

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
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()
    return f"{digest}/{kind.value}"


def similar_titles(a: str, b: str, threshold: float = 0.85) -> bool:
    """Near-identical titles (a fixed typo, a changed word in a long title)."""
    na, nb = normalise_title(a), normalise_title(b)
    if na == nb:
        return True
    return SequenceMatcher(None, na, nb).ratio() >= threshold


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


def match_rename(paper: Paper, missing: Mapping[str, StoredPaper]) -> str | None:
    """The stored paper (gone from the notes) that this new row most likely renames:
    the same link, the same figure, or the same year and a near-identical title."""
    if paper.url:
        url = normalise_url(paper.url)
        for k, old in missing.items():
            if old.url and normalise_url(old.url) == url:
                return k
    srcs = {f.src for f in paper.figures}
    if srcs:
        for k, old in missing.items():
            if srcs & old.figures:
                return k
    for k, old in missing.items():
        if old.year == paper.year and similar_titles(old.title, paper.title):
            return k
    return None
