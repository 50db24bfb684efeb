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
A weak or ambiguous match is refused; the best candidates are kept for "did you mean", and
when there are none, the papers whose names the line nearly spells (``MQFE`` for ``MFQE``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher, get_close_matches
from functools import cached_property

from studydeck.identity import normalise_url
from studydeck.models import Paper
from studydeck.naming import acronym, short_names, title_words
from studydeck.safe import terminal

ACCEPT = 0.75
"""Share of the line's (rarity-weighted) words that must be in the title."""
MARGIN = 0.2
"""How far ahead of the next title the best title must be."""
SUGGEST = 0.3
LINE_CHARS = 300
"""How much of an agenda line is matched (and shown): a title, a name or a link fits; a
line of a hundred thousand words took minutes, each word looked for among the titles'."""

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
        """The line and what it matched, for the terminal: the agenda's line is other
        people's text, so the whole goes through :func:`studydeck.safe.terminal` here, the
        one place every caller (the CLI, the quiz app's agenda box) prints it from."""
        if self.paper is not None:
            out = f"{self.line} → {self.paper.title} ({self.how})"
        else:
            out = f"{self.line} → no paper in your notes"
            if self.candidates:
                out += " (did you mean: " + "; ".join(p.title for p in self.candidates) + "?)"
        return terminal(out)


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


_TYPO_LEN = 6
_TYPO_RATIO = 0.88
_CUT_LEN = 4
"""The shortest start of a title word that stands for it (``norm`` for ``normalization``,
``conv`` for ``convolution``): a trial's ``Layer Norm`` was refused."""


def _same_word(a: str, b: str) -> bool:
    """Equal; or ``a`` the start of ``b``, of :data:`_CUT_LEN` letters or more (a word cut
    short: ``norm``); or a typo of each other (long words only: ``normalisation``)."""
    if a == b or (len(a) >= _CUT_LEN and b.startswith(a)):
        return True
    if min(len(a), len(b)) < _TYPO_LEN:
        return False
    return SequenceMatcher(None, a, b).ratio() >= _TYPO_RATIO


class AgendaMatcher:
    """Matches agenda lines against the papers. What it looks up per line is indexed once
    (names, titles, links, title words), so a line costs the papers that share a word or a
    name with it, not every paper: an agenda over 10,000 papers took seconds a line."""

    def __init__(self, papers: Sequence[Paper], titles: Sequence[str] | None = None) -> None:
        """``titles``: the papers' titles, when the caller has them as a column (a deck read
        from the cache makes a Paper only when one is read: 50,000 of them take a second,
        and a line that is a title needs none but the one it names)."""
        self.papers = papers
        if titles is None:
            titles = [p.title for p in papers]
        self._titled: dict[str, int] = {}
        """A title's key (:func:`_key`) -> the first paper with that title."""
        for i, title in enumerate(titles):
            self._titled.setdefault(_key(title), i)
        self._linked: dict[str, list[int]] | None = None
        self._variants: dict[str, frozenset[str]] = {}
        # The other indexes are made when a line first needs them (at 50,000 papers, ~1 s
        # each): a line that is a title or a link needs neither.

    @cached_property
    def _every(self) -> list[Paper]:
        """Every paper, made once for the indexes that read them all (a deck read from the
        cache makes a Paper each time one is read)."""
        return list(self.papers)

    @cached_property
    def _named(self) -> dict[str, list[tuple[int, int, str, str]]]:
        """A name's key -> (paper's place, name's place, how, name) of every paper with that
        name (:func:`names_of`), in that order."""
        named: dict[str, list[tuple[int, int, str, str]]] = {}
        for i, p in enumerate(self._every):
            for j, (name, how) in enumerate(names_of(p)):
                named.setdefault(_key(name), []).append((i, j, how, name))
        return named

    @cached_property
    def words(self) -> dict[str, list[str]]:
        """Each paper's title words (by key)."""
        return {p.key: _words(p.title) for p in self._every}

    @cached_property
    def _idf(self) -> dict[str, float]:
        df = Counter(w for ws in self.words.values() for w in set(ws))
        n = max(1, len(self.papers))
        return {w: math.log(1 + n / c) for w, c in df.items()}

    @cached_property
    def _unknown(self) -> float:
        return math.log(1 + max(1, len(self.papers)) / 0.5)

    @cached_property
    def _have(self) -> list[frozenset[str]]:
        """Each paper's title words (by its place in ``papers``)."""
        return [frozenset(self.words[p.key]) for p in self._every]

    @cached_property
    def _with(self) -> dict[str, list[int]]:
        """The papers (places, in order) whose title has a word."""
        out: dict[str, list[int]] = {}
        for i, have in enumerate(self._have):
            for w in have:
                out.setdefault(w, []).append(i)
        return out

    def weight(self, word: str) -> float:
        return self._idf.get(word, self._unknown)

    def _link_index(self) -> dict[str, list[int]]:
        """A link id (:func:`link_ids`) -> the papers whose link names it (made at the first
        line with a link)."""
        if self._linked is None:
            self._linked = {}
            for i, p in enumerate(self._every):
                for lid in link_ids(p.url or ""):
                    self._linked.setdefault(lid, []).append(i)
        return self._linked

    def _names_in(self, keys: Iterable[str]) -> list[tuple[Paper, str, str]]:
        """(paper, "how name", name's key) of every paper's name whose key is in ``keys``,
        in paper order, then name order (as a walk over the papers' names finds them)."""
        found = sorted(
            (i, j, how, name, key)
            for key in set(keys)
            for i, j, how, name in self._named.get(key, ())
        )
        return [(self.papers[i], f"{how} {name}", key) for i, _, how, name, key in found]

    def match(self, line: str) -> AgendaMatch:
        line = terminal(line)  # (an escape sequence is no part of a title)
        if len(line) > LINE_CHARS:  # no title is this long: its start is looked at
            line = line[:LINE_CHARS] + "…"
        shown = line.strip()
        text = _clean(line)
        ids = link_ids(text)
        if ids:
            linked = self._link_index()
            places = [i for lid in ids for i in linked.get(lid, ())]
            if places:
                p = self.papers[min(places)]
                found = ids & link_ids(p.url or "")
                kind, _, value = sorted(found)[0].partition(":")
                how = {"arxiv": f"arXiv {value}", "doi": f"DOI {value}"}.get(kind, "link")
                return AgendaMatch(shown, p, how)
            text = _URL.sub(" ", text).strip()
        if not text:
            return AgendaMatch(shown, None)
        heads = {_key(text), _key(text.split("(")[0]), _key(text.split("：")[0].split(":")[0])}
        heads.discard("")
        titled = [self._titled[h] for h in heads if h in self._titled]
        if titled:
            return AgendaMatch(shown, self.papers[min(titled)], "title")
        named = [(p, how) for p, how, _ in self._names_in(heads)]
        if len({p.key for p, _ in named}) == 1:
            return AgendaMatch(shown, named[0][0], named[0][1])
        by_word = None if named else self._word_named(text)
        both = self._named_and_titled(by_word)
        if both is not None:
            return AgendaMatch(shown, *both)
        scored = sorted(self._scores(text), key=lambda t: -t[0])
        best = scored[0] if scored else (0.0, None)
        runner = scored[1][0] if len(scored) > 1 else 0.0
        if best[1] is not None and best[0] >= ACCEPT and best[0] - runner >= MARGIN and not named:
            return AgendaMatch(shown, best[1], "title words")
        loose = sorted(self._scores(text, strict=False), key=lambda t: -t[0])
        near = [p for s, p in loose[:3] if s >= SUGGEST]
        first = [p for p, _ in named] + ([by_word[0]] if by_word else [])
        near = first + [p for p in near if p not in first]
        return AgendaMatch(shown, None, candidates=tuple((near or self._mistyped(text))[:3]))

    def _mistyped(self, text: str) -> list[Paper]:
        """Papers one of whose names the line, or a name-like word of it (a capital after
        its first letter, or a digit: ``MQFE``, ``BasicVRS``), nearly spells: two letters
        swapped (``DTA`` for ``DAT``), or most of its letters in order (``MQFE 2.0`` for
        ``MFQE 2.0``). For "did you mean" only, never a match: a name one letter off may
        well be another paper's."""
        words = [w for w in _PARTS.split(text) if re.search(r"\d|.[A-Z]", w)]
        wanted = {_key(w) for w in (text, *words)}
        wanted = {w for w in wanted if len(w) >= 3}
        out: list[Paper] = []
        for w in sorted(wanted, key=len, reverse=True):
            close = get_close_matches(w, list(self._named), n=3, cutoff=0.8)
            swapped = [k for k in self._named if len(k) == len(w) and _one_swap(w, k)]
            for _, _, _, p in sorted(
                (i, j, k, self.papers[i])
                for k in dict.fromkeys(swapped + close)
                for i, j, _, _ in self._named[k]
            ):
                if p not in out:
                    out.append(p)
        return out

    def _word_named(self, text: str) -> tuple[Paper, str, str] | None:
        """The one paper a word of ``text`` names (its name and how), and the line's other
        words; None when no word, or words of two papers, name one."""
        words = [w for w in _PARTS.split(text) if w]
        keys = {_key(w) for w in words} - {""}
        named = self._names_in(keys)
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

    def _scores(self, text: str, *, strict: bool = True) -> list[tuple[float, Paper]]:
        """:meth:`_score` of ``text`` for every paper that has one of its words, or a typo of
        one, in its title, in paper order; every other paper's is 0. A word's typos among
        the titles' words are found once (:meth:`_typos_of`), and each paper's words are a
        set. tests/test_quiz_agenda.py checks it against :meth:`_score` of every paper."""
        line = list(dict.fromkeys(_words(text)))
        if not line:
            return []
        total = sum(self.weight(w) for w in line)
        variants = [(w, self._typos_of(w)) for w in line]
        places = sorted({i for _, vs in variants for v in vs for i in self._with.get(v, ())})
        out = []
        for i in places:
            have = self._have[i]
            hit = [w for w, vs in variants if not vs.isdisjoint(have)]
            if strict and len(hit) < min(2, len(have)):
                score = 0.0
            else:
                score = sum(self.weight(w) for w in hit) / total
            out.append((score, self.papers[i]))
        return out

    def _typos_of(self, word: str) -> frozenset[str]:
        """The titles' words that are ``word``, start with it, or are a typo of it
        (:func:`_same_word`)."""
        known = self._variants.get(word)
        if known is None:
            same = {word} if word in self._with else set()
            if len(word) >= _CUT_LEN:
                same.update(h for h in self._with if h.startswith(word))
            if len(word) >= _TYPO_LEN:
                matcher = SequenceMatcher(None, word)  # (the order _same_word compares in)
                for h in self._with:
                    if len(h) < _TYPO_LEN or h == word:
                        continue
                    matcher.set_seq2(h)
                    # (upper bounds of the ratio first, as difflib.get_close_matches does)
                    if (
                        matcher.real_quick_ratio() >= _TYPO_RATIO
                        and matcher.quick_ratio() >= _TYPO_RATIO
                        and matcher.ratio() >= _TYPO_RATIO
                    ):
                        same.add(h)
            known = self._variants[word] = frozenset(same)
        return known


def _one_swap(a: str, b: str) -> bool:
    """``b`` is ``a`` with two neighbouring letters swapped."""
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and a[diff[0]] == b[diff[1]]
        and a[diff[1]] == b[diff[0]]
    )


def match_agenda(
    lines: Sequence[str], papers: Sequence[Paper], titles: Sequence[str] | None = None
) -> list[AgendaMatch]:
    """One match per agenda line that says something (blank lines and ``#`` comments skipped).
    ``titles``: as for :class:`AgendaMatcher`."""
    matcher = AgendaMatcher(papers, titles)
    return [matcher.match(line) for line in lines if line.strip() and not _is_comment(line)]


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def match_agenda_line(line: str, papers: Sequence[Paper]) -> Paper | None:
    return AgendaMatcher(papers).match(line).paper
