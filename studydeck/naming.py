"""A paper's short names: the Abbr. column, a leading method label, an acronym.

One place for the rule, used by the cards (shown beside the title), browse
(searchable) and the quiz (masked in clues, matched in agendas).

A *method label* is a short Latin name that opens the contribution cell and is
followed by a full-width or ASCII colon: ``N-3 Net：…``, ``MPRNet：…``,
``**DMENet**: …``. It is at most 32 characters and holds at least one letter.
"""

from __future__ import annotations

import re

_LABEL = re.compile(r"\s*\**\s*([A-Za-z0-9][A-Za-z0-9 .+\-]{0,31}?)\s*\**\s*[：:]")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]{2,}")
_SMALL = frozenset(
    {
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "of",
        "on",
        "or",
        "the",
        "to",
        "via",
        "with",
        "using",
    }
)


def method_label(contribution: str) -> str | None:
    """The method name that opens ``contribution`` (``MPRNet：…`` → ``MPRNet``), if any."""
    m = _LABEL.match(contribution)
    if m is None or not any(ch.isalpha() for ch in m.group(1)):
        return None
    return m.group(1).strip()


def without_label(contribution: str) -> str:
    """``contribution`` without the method label that opens it (``MPRNet：很强`` → ``很强``;
    ``**DMENet**: …`` and ``**DMENet：** …`` alike), or as it is when it has none."""
    m = _LABEL.match(contribution)
    if m is None or not any(ch.isalpha() for ch in m.group(1)):
        return contribution
    rest = contribution[m.end() :].lstrip()
    if m.group(0).count("*") % 4 and rest.startswith("**"):  # bold closed after the colon
        rest = rest[2:].lstrip()
    return rest


def acronym(title: str) -> str | None:
    """Initials of a title's significant Latin words (``Layer Normalization`` → ``LN``).

    None for titles of fewer than two such words.
    """
    words = [w for w in _WORD.findall(title) if w.casefold() not in _SMALL]
    if len(words) < 2:
        return None
    return "".join(w[0].upper() for w in words)


def title_words(title: str) -> tuple[str, ...]:
    """A title's significant words, casefolded: Latin words other than the small ones,
    and each run of CJK characters (``Bringing Old Films Back to Life`` → ``bringing``,
    ``old``, ``films``, ``back``, ``life``)."""
    words = [w.casefold() for w in _WORD.findall(title) if w.casefold() not in _SMALL]
    words += _CJK_RUN.findall(title)
    return tuple(dict.fromkeys(words))


def short_names(abbr: str, contribution: str) -> tuple[str, ...]:
    """The names a reader knows the paper by: Abbr. column first, then the method label."""
    names: list[str] = []
    for name in (abbr.strip(), method_label(contribution) or ""):
        if name and name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    return tuple(names)


def titled(title: str, abbr: str, contribution: str) -> str:
    """The title with the paper's short names beside it: ``Layer Normalization — LN``."""
    names = short_names(abbr, contribution)
    return f"{title} — {' / '.join(names)}" if names else title
