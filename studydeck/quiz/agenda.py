"""Agenda lines -> papers, with the reason shown: a reading list you can check before a quiz.

A line is matched, in this order, by
1. a link: arXiv ids (``abs/``, ``pdf/``, versioned, ``arXiv:``) and DOIs in any URL form,
   else the normalised URL;
2. a short name: the Abbr. column, the method label, the acronym of the title
   (the whole line, or the line before a parenthesis: ``DAT (deformable attention)``);
   or one word of the line naming one paper, and the rest of the line that paper's title
   words, as for 3 (two signals that agree: ``DAT deformable attention``,
   ``Deformable Attention (DAT)``);
3. the title: the same title, or title *words* (never characters) — the line's words,
   weighted by how rare they are among the titles, must nearly all be in one title, and
   clearly more than in the next best title.
A weak or ambiguous match is refused; the best candidates are kept for "did you mean".
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from studydeck.identity import normalise_url
from studydeck.models import Paper
from studydeck.naming import acronym, short_names, title_words

ACCEPT = 0.75
"""Share of the line's (rarity-weighted) words that must be in the title."""
MARGIN = 0.2
"""How far ahead of the next title the best title must be."""
SUGGEST = 0.3

_URL = re.compile(r"https?://[^\s<>()]+|\b(?:arxiv|doi):\S+", re.I)
_ARXIV = re.compile(
    r"arxiv(?:\.org/(?:abs|pdf|html)/|:)\s*(\d{4}\.\d{4,5}|[a-z\-]+/\d{7})(?:v\d+)?", re.I
)
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)", re.I)
_MD_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_PARTS = re.compile(r"[\s()（）,，;；]+")
"""What separates a line's words, a name among them (``DAT (deformable attention)``, ``DAT（…）``)."""


@dataclass(frozen=True)
class AgendaMatch:
    line: str
    paper: Paper | None
    how: str = ""
    """How it matched (``arXiv 1607.06450``, ``short name DAT``, ``title words``)."""
    candidates: tuple[Paper, ...] = ()
    """For a refused line: the best titles, for "did you mean"."""

    def report(self) -> str:
        if self.paper is not None:
            return f"{self.line} → {self.paper.title} ({self.how})"
        out = f"{self.line} → no paper in your notes"
        if self.candidates:
            out += " (did you mean: " + "; ".join(p.title for p in self.candidates) + "?)"
        return out


def link_ids(text: str) -> set[str]:
    """The identities a link names: ``arxiv:1607.06450``, ``doi:10.1/x``, ``url:...``."""
    ids: set[str] = set()
    for m in _ARXIV.finditer(text):
        ids.add(f"arxiv:{m.group(1).casefold()}")
    for m in _DOI.finditer(text):
        ids.add("doi:" + m.group(1).rstrip(".,;").casefold().removesuffix(".pdf"))
    for m in _URL.finditer(text):
        if m.group(0).casefold().startswith("http"):
            ids.add("url:" + normalise_url(m.group(0).rstrip(".,;")))
    return ids


def names_of(p: Paper) -> list[tuple[str, str]]:
    """(name, how) pairs a reader may call the paper by."""
    out = [(n, "short name") for n in short_names(p.short_name, p.contribution)]
    a = acronym(p.title)
    if a and len(a) >= 2:
        out.append((a, "acronym"))
    head = re.split(r"[：:]", p.title, maxsplit=1)[0].strip()
    if head != p.title.strip() and 2 <= len(head) <= 32:
        out.append((head, "short title"))  # ``MFQE 2.0: A New Approach…``
    return out


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _clean(line: str) -> str:
    text = _BULLET.sub("", line.strip())
    return _MD_LINK.sub(lambda m: f"{m.group(1)} {m.group(2)}", text).strip()


def _words(text: str) -> list[str]:
    out: list[str] = []
    for w in title_words(text):
        if re.fullmatch(r"[\u3400-\u9fff]+", w) and len(w) > 2:
            out += [w[i : i + 2] for i in range(len(w) - 1)]  # CJK: character pairs as words
        else:
            out.append(w)
    return out


def _same_word(a: str, b: str) -> bool:
    """Equal, or a typo of each other (long words only: ``normalisation``)."""
    if a == b:
        return True
    if min(len(a), len(b)) < 6:
        return False
    return SequenceMatcher(None, a, b).ratio() >= 0.88


class AgendaMatcher:
    def __init__(self, papers: Sequence[Paper]) -> None:
        self.papers = list(papers)
        self.words = {p.key: _words(p.title) for p in self.papers}
        df = Counter(w for ws in self.words.values() for w in set(ws))
        n = max(1, len(self.papers))
        self._idf = {w: math.log(1 + n / c) for w, c in df.items()}
        self._unknown = math.log(1 + n / 0.5)

    def weight(self, word: str) -> float:
        return self._idf.get(word, self._unknown)

    def match(self, line: str) -> AgendaMatch:
        shown = line.strip()
        text = _clean(line)
        ids = link_ids(text)
        if ids:
            for p in self.papers:
                found = ids & link_ids(p.url or "")
                if found:
                    kind, _, value = sorted(found)[0].partition(":")
                    how = {"arxiv": f"arXiv {value}", "doi": f"DOI {value}"}.get(kind, "link")
                    return AgendaMatch(shown, p, how)
            text = _URL.sub(" ", text).strip()
        if not text:
            return AgendaMatch(shown, None)
        heads = {_key(text), _key(text.split("(")[0]), _key(text.split("：")[0].split(":")[0])}
        heads.discard("")
        for p in self.papers:
            if _key(p.title) in heads:
                return AgendaMatch(shown, p, "title")
        named = [
            (p, f"{how} {name}")
            for p in self.papers
            for name, how in names_of(p)
            if _key(name) in heads
        ]
        if len({p.key for p, _ in named}) == 1:
            return AgendaMatch(shown, named[0][0], named[0][1])
        by_word = None if named else self._word_named(text)
        both = self._named_and_titled(by_word)
        if both is not None:
            return AgendaMatch(shown, *both)
        scored = sorted(((self._score(text, p), p) for p in self.papers), key=lambda t: -t[0])
        best = scored[0] if scored else (0.0, None)
        runner = scored[1][0] if len(scored) > 1 else 0.0
        if best[1] is not None and best[0] >= ACCEPT and best[0] - runner >= MARGIN and not named:
            return AgendaMatch(shown, best[1], "title words")
        loose = sorted(
            ((self._score(text, p, strict=False), p) for p in self.papers), key=lambda t: -t[0]
        )
        near = [p for s, p in loose[:3] if s >= SUGGEST]
        first = [p for p, _ in named] + ([by_word[0]] if by_word else [])
        near = first + [p for p in near if p not in first]
        return AgendaMatch(shown, None, candidates=tuple(near[:3]))

    def _word_named(self, text: str) -> tuple[Paper, str, str] | None:
        """The one paper a word of ``text`` names (its name and how), and the line's other
        words; None when no word, or words of two papers, name one."""
        words = [w for w in _PARTS.split(text) if w]
        keys = {_key(w) for w in words} - {""}
        named = [
            (p, f"{how} {name}", _key(name))
            for p in self.papers
            for name, how in names_of(p)
            if _key(name) in keys
        ]
        if len({p.key for p, _, _ in named}) != 1:
            return None
        p, how, key = named[0]
        return p, how, " ".join(w for w in words if _key(w) != key)

    def _named_and_titled(self, named: tuple[Paper, str, str] | None) -> tuple[Paper, str] | None:
        """The paper a word of the line names (:meth:`_word_named`), when the line's other
        words are its title words (:data:`ACCEPT` of them, as a title-words match)."""
        if named is None:
            return None
        p, how, rest = named
        if not rest or self._score(rest, p) < ACCEPT:
            return None
        return p, f"{how} and title words"

    def _score(self, text: str, p: Paper, *, strict: bool = True) -> float:
        """Rarity-weighted share of the line's words found in the title."""
        line = list(dict.fromkeys(_words(text)))
        if not line:
            return 0.0
        have = self.words[p.key]
        total = sum(self.weight(w) for w in line)
        hit = [w for w in line if any(_same_word(w, h) for h in have)]
        if strict and len(hit) < min(2, len(set(have))):
            return 0.0
        return sum(self.weight(w) for w in hit) / total


def match_agenda(lines: Sequence[str], papers: Sequence[Paper]) -> list[AgendaMatch]:
    """One match per agenda line that says something (blank lines and ``#`` comments skipped)."""
    matcher = AgendaMatcher(papers)
    return [matcher.match(line) for line in lines if line.strip() and not _is_comment(line)]


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def match_agenda_line(line: str, papers: Sequence[Paper]) -> Paper | None:
    return AgendaMatcher(papers).match(line).paper
