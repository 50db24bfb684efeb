"""Anki notes from papers: one note per paper, one card template per card kind.

* A note's GUID comes from the paper's permanent id in the store (assigned once, kept
  through renames), so an edited notes file updates the same notes and keeps the user's
  Anki history; the note type id is a fixed literal.
* A note's modification time is the time its fields last changed (a content hash per
  paper in the store), so an unchanged note is never "newer": Anki keeps the tags and
  edits made on its side. The note type's time moves only when its templates, CSS or
  fields do.
* Figures are fetched once (:mod:`studydeck.figures`) and stored under content-hash
  names; a figure that cannot be had is reported and the card links to it instead.

:func:`prepare_notes` builds the notes; :func:`export_deck` writes them as an ``.apkg``
and :mod:`studydeck.export.anki_sync` writes them straight into a collection.
"""

from __future__ import annotations

import errno
import json
import os
import re
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING

import genanki

from studydeck import digests
from studydeck.figures import FigureData, FigureError, FigureFetcher
from studydeck.fileio import atomic_file
from studydeck.identity import key_guid
from studydeck.models import QUESTIONS, CardKind, Deck, Figure, Paper
from studydeck.rendering import escape, to_html
from studydeck.safe import safe_href
from studydeck.wording import plural

if TYPE_CHECKING:
    from studydeck.store import Store

FIELDS = (
    "Title",
    "Link",
    "Year",
    "Keywords",
    "Contribution",
    "Insight",
    "Critique",
    "Figure",
    "Source",
    "Chinese",
)
KIND_FIELD = {
    CardKind.CONTRIBUTION: "Contribution",
    CardKind.INSIGHT: "Insight",
    CardKind.CRITIQUE: "Critique",
}
MODEL_NAME = "studydeck paper"
TAG_PREFIX = "studydeck::"
EMPTY_TAG = "studydeck::empty"
RETIRED_TAG = "studydeck::retired"

#: The prompts on Chinese notes (the English ones are :data:`studydeck.models.QUESTIONS`).
QUESTIONS_ZH = {
    CardKind.CONTRIBUTION: "它的核心贡献是什么？",
    CardKind.INSIGHT: "笔记里的关键洞见是什么？",
    CardKind.CRITIQUE: "它的不足在哪里？",
}
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def stable_id(name: str) -> int:
    """A fixed id in the range Anki and genanki use, derived from a name."""
    digest = digests.sha256(name.encode("utf-8")).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


MODEL_ID = 1771487624  # stable_id("studydeck:model:paper"); never changes

CSS = """
.card { font-family: -apple-system, "Segoe UI", "PingFang SC", "Noto Sans CJK SC", sans-serif;
        font-size: 19px; line-height: 1.5; text-align: left; color: #1d1d1f;
        background: #fbfbfd; max-width: 46em; margin: 0 auto; padding: 0.6em; }
.nightMode.card, .night_mode .card { color: #e8e8ed; background: #1c1c1e; }
.title { font-size: 1.15em; font-weight: 600; }
.title a { color: inherit; text-decoration: none; border-bottom: 1px dotted currentColor; }
.meta { margin: .3em 0 .8em; font-size: .85em; opacity: .75; }
.chip { display: inline-block; padding: 0 .55em; margin: 0 .3em .2em 0; border-radius: 1em;
        background: rgba(120, 120, 128, .16); }
.question { margin-top: .8em; font-weight: 600; color: #0a66c2; }
.nightMode .question, .night_mode .question { color: #64a8ff; }
a { color: #0a66c2; }
.nightMode a, .night_mode a { color: #64a8ff; }
.answer { margin-top: .6em; }
.figure img { max-width: 100%; max-height: 60vh; height: auto; display: block; margin: .6em auto;
              border-radius: 6px; }
.nightMode .figure img, .night_mode .figure img { background: #fff; }
.keywords { margin-left: .3em; }
"""

_HEAD = """<div class="title">{{#Link}}<a href="{{Link}}">{{Title}}</a>{{/Link}}{{^Link}}{{Title}}{{/Link}}</div>
<div class="meta">{{#Year}}<span class="chip">{{Year}}</span>{{/Year}}<span class="keywords">{{Keywords}}</span></div>"""


def _template(kind: CardKind) -> dict[str, str]:
    f = KIND_FIELD[kind]
    figure = (
        '{{#Figure}}<div class="figure">{{Figure}}</div>{{/Figure}}'
        if kind is CardKind.CONTRIBUTION
        else ""
    )
    prompt = (
        f"{{{{#Chinese}}}}{escape(QUESTIONS_ZH[kind])}{{{{/Chinese}}}}"
        f"{{{{^Chinese}}}}{escape(QUESTIONS[kind])}{{{{/Chinese}}}}"
    )
    # The whole front sits inside {{#Field}}: an empty field makes no card at all.
    front = f'{{{{#{f}}}}}{_HEAD}{figure}<div class="question">{prompt}</div>{{{{/{f}}}}}'
    back = '{{FrontSide}}<hr id="answer"><div class="answer">{{' + f + "}}</div>"
    return {"name": kind.value.capitalize(), "qfmt": front, "afmt": back}


def note_model() -> genanki.Model:
    return genanki.Model(
        MODEL_ID,
        MODEL_NAME,
        fields=[{"name": n} for n in FIELDS],
        templates=[_template(k) for k in CardKind],
        css=CSS,
        sort_field_index=0,
    )


def model_hash() -> str:
    """What the note type is made of; its time in the store moves only when this does."""
    model = note_model()
    blob = json.dumps([model.fields, model.templates, model.css], sort_keys=True)
    return digests.sha256(blob.encode("utf-8")).hexdigest()


def safe_tag(text: str) -> str:
    return _one_level(re.sub(r"\s+", "_", text.strip()).replace('"', ""))


def _one_level(text: str) -> str:
    """A name from the notes as one level of Anki's deck or tag tree: ``::`` separates
    levels there, so a probe's heading ``a::b`` made nested decks. Each run of colons is one."""
    return re.sub(r":{2,}", ":", text)


def paper_tags(paper: Paper) -> list[str]:
    """Keyword and year tags, all under ``studydeck::`` so they never mix with the user's."""
    tags = [f"{TAG_PREFIX}kw::{t}" for t in (safe_tag(k) for k in paper.keywords) if t]
    if paper.year is not None:
        tags.append(f"{TAG_PREFIX}year::{paper.year}")
    return tags


def is_chinese(paper: Paper, deck_name: str) -> bool:
    """Notes written in Chinese (headings or title): their cards ask in Chinese."""
    return bool(_CJK.search(paper.section) or _CJK.search(deck_name) or _CJK.search(paper.title))


@dataclass
class ExportReport:
    path: Path
    notes: int = 0
    cards: int = 0
    figures: int = 0
    unavailable: list[tuple[Paper, Figure, str]] = field(default_factory=list)

    def summary(self) -> str:
        counts = ", ".join(
            (plural(self.notes, "note"), plural(self.cards, "card"), plural(self.figures, "figure"))
        )
        text = f"wrote {self.path}: {counts}"
        if self.unavailable:
            text += f" ({len(self.unavailable)} unavailable: see above)"
        return text


class ExportError(Exception):
    """``--strict`` and some figures could not be had; ``report`` says which."""

    def __init__(self, report: ExportReport) -> None:
        super().__init__(f"{plural(len(report.unavailable), 'figure')} could not be embedded")
        self.report = report


def _fetch_all(
    papers: Sequence[Paper],
    fetcher: FigureFetcher,
) -> dict[tuple[str, str], FigureData | FigureError]:
    jobs = {(p.source, f.src): (p, f) for p in papers for f in p.figures}

    def one(item: tuple[Paper, Figure]) -> FigureData | FigureError:
        try:
            return fetcher.get(item[1], Path(item[0].source))
        except FigureError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(one, jobs.values()))
    return dict(zip(jobs.keys(), results, strict=True))


def _figure_link(fig: Figure) -> str:
    """A figure that could not be embedded: a link when it is on the web, else its name as
    text (a ``steam://`` or relative src is not a link to follow from a card)."""
    text = escape(fig.alt or fig.src)
    href = safe_href(fig.src)
    return text if href is None else f'<a href="{escape(href)}">{text}</a>'


_ANKI_TAG = re.compile(r"\[(?=sound:|anki:|latex\]|\$\$?\])", re.IGNORECASE)
"""The ``[`` of what Anki reads in a field's HTML as its own tag, not text: ``[sound:x]``
(an audio player), ``[anki:tts]`` (speech), ``[latex]``, ``[$]``, ``[$$]`` (LaTeX, made
into images by running LaTeX)."""


def anki_field(html: str) -> str:
    """A field's HTML as Anki stores it: each of Anki's tags (:data:`_ANKI_TAG`) written with
    ``&#91;`` for its ``[``, which Anki's patterns (run on the HTML) do not match and the
    card shows as ``[``; in an attribute too, whose value is the same after the browser
    reads it. The one way out to Anki for every field (:func:`build_fields`)."""
    return _ANKI_TAG.sub("&#91;", html)


def build_fields(
    paper: Paper,
    texts: Mapping[CardKind, str],
    kinds: Iterable[CardKind],
    figure_html: str,
    chinese: bool = False,
) -> list[str]:
    """The note's fields; ``texts`` holds the back of each card studydeck made for the paper.

    Keywords are plain text (``Keywords:图像复原`` finds the note); Source is the file name
    only, so inserting a row above does not change every note below it. Link is the paper's
    link when it is http, https or mailto (:func:`~studydeck.safe.safe_href`), else empty:
    the card shows the title without a link then (the templates' ``{{^Link}}``).
    """
    chosen = set(kinds)
    fields = [
        escape(paper.title),
        escape(safe_href(paper.url or "") or ""),
        str(paper.year) if paper.year is not None else "",
        escape(", ".join(paper.keywords)),
        *(to_html(texts.get(k, "")) if k in chosen else "" for k in CardKind),
        figure_html if CardKind.CONTRIBUTION in chosen else "",
        escape(os.path.basename(paper.source)),
        "1" if chinese else "",
    ]
    return [anki_field(f) for f in fields]


@dataclass
class PaperNote:
    """One paper as an Anki note, ready to write into a package or a collection."""

    paper: Paper
    guid: str
    deck: str
    fields: list[str]
    tags: list[str]
    content_hash: str
    mod: int = 0

    def empty_kinds(self) -> list[CardKind]:
        return [k for i, k in enumerate(CardKind) if not self.fields[FIELDS.index(KIND_FIELD[k])]]

    @property
    def n_cards(self) -> int:
        return len(CardKind) - len(self.empty_kinds())


def fields_digest(fields: Sequence[str]) -> str:
    """A note's fields, as one digest: what :meth:`Store.remember_sent` keeps of each version
    sent to Anki, and what a note in Anki is compared with. Empty fields at the end do not
    count (a note type that gained a field gives the note an empty one)."""
    return digests.sha256("\x1f".join(fields).rstrip("\x1f").encode()).hexdigest()[:32]


def content_hash(fields: Sequence[str], tags: Sequence[str], deck: str) -> str:
    blob = "\x1f".join(fields) + "\x1e" + " ".join(tags) + "\x1e" + deck
    return digests.sha256(blob.encode("utf-8")).hexdigest()


@dataclass
class PreparedNotes:
    notes: list[PaperNote]
    media: dict[str, bytes]
    report: ExportReport
    model_mod: int


def prepare_notes(
    deck: Deck,
    *,
    store: Store | None,
    now: float,
    deck_name: str | None = None,
    kinds: Sequence[CardKind] = tuple(CardKind),
    figures: bool = True,
    fetcher: FigureFetcher | None = None,
    out: Path = Path("studydeck.apkg"),
    progress: Callable[[int, int], None] | None = None,
) -> PreparedNotes:
    """The deck's notes, their media and modification times.

    With a ``store`` (the normal case) GUIDs come from the permanent paper ids and each
    note's mod time is when its content last changed (recorded there); without one, GUIDs
    come from the keys and every note is as new as ``now``.
    """
    name = deck_name or deck.name
    report = ExportReport(out)
    fetched: dict[tuple[str, str], FigureData | FigureError] = {}
    if figures and fetcher is not None:
        fetched = _fetch_all(deck.papers, fetcher)
    subdecks = len({p.section for p in deck.papers}) > 1
    guids = store.anki_guids() if store is not None else {}
    media: dict[str, bytes] = {}
    backs: dict[str, dict[CardKind, str]] = {}
    for card in deck.cards:
        backs.setdefault(card.paper.key, {})[card.kind] = card.back
    notes: list[PaperNote] = []
    total = len(deck.papers)
    for i, paper in enumerate(deck.papers):
        parts: list[str] = []
        for fig in paper.figures if figures else ():
            got = fetched.get((paper.source, fig.src))
            if isinstance(got, FigureData):
                media.setdefault(got.media_name, got.data)
                parts.append(f'<img src="{escape(got.media_name)}" alt="{escape(fig.alt)}">')
            else:
                reason = str(got) if got is not None else "not fetched"
                report.unavailable.append((paper, fig, reason))
                parts.append(_figure_link(fig))
        fields = build_fields(
            paper, backs.get(paper.key, {}), kinds, "".join(parts), is_chinese(paper, name)
        )
        sub = (
            f"{_one_level(name)}::{_one_level(paper.section)}"
            if subdecks and paper.section and paper.section != name
            else _one_level(name)
        )
        tags = paper_tags(paper)
        note = PaperNote(
            paper,
            guids.get(paper.key) or key_guid(paper.key),
            sub,
            fields,
            tags,
            content_hash(fields, tags, sub),
        )
        notes.append(note)
        if progress is not None and (i % 200 == 0 or i == total - 1):
            progress(i + 1, total)
    stamp = int(now)
    if store is not None:
        store.remember_sent({n.paper.key: fields_digest(n.fields) for n in notes})
        mods = store.note_mods({n.paper.key: n.content_hash for n in notes}, stamp)
        for n in notes:
            n.mod = mods[n.paper.key]
        model_mod = store.model_mod(model_hash(), stamp)
    else:
        for n in notes:
            n.mod = stamp
        model_mod = stamp
    return PreparedNotes(notes, media, report, model_mod)


def export_deck(
    deck: Deck,
    out: Path,
    *,
    store: Store | None = None,
    deck_name: str | None = None,
    kinds: Sequence[CardKind] = tuple(CardKind),
    figures: bool = True,
    strict: bool = False,
    fetcher: FigureFetcher | None = None,
    now: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ExportReport:
    """Write ``deck`` to ``out`` as an Anki package (papers with no card are left out)."""
    prepared = prepare_notes(
        deck,
        store=store,
        now=time.time() if now is None else now,
        deck_name=deck_name,
        kinds=kinds,
        figures=figures,
        fetcher=fetcher,
        out=out,
        progress=progress,
    )
    report = prepared.report
    if strict and report.unavailable:
        raise ExportError(report)
    model = note_model()
    decks: dict[str, genanki.Deck] = {}
    written: list[PaperNote] = []
    used: set[str] = set()
    figure = FIELDS.index("Figure")
    for n in prepared.notes:
        if not n.n_cards:
            continue
        if n.deck not in decks:
            decks[n.deck] = genanki.Deck(stable_id(f"studydeck:deck:{n.deck}"), n.deck)
            decks[n.deck].add_model(model)
        written.append(n)
        if n.fields[figure]:
            used.update(re.findall(r'src="(studydeck-[^"]+)"', n.fields[figure]))
        report.notes += 1
        report.cards += n.n_cards
    media = {k: v for k, v in prepared.media.items() if k in used}
    report.figures = len(media)
    write_package(list(decks.values()), media, out, prepared.model_mod, written)
    return report


def _write_notes(
    c: sqlite3.Connection, notes: Sequence[PaperNote], mid: int, ids: Iterator[int]
) -> None:
    """Notes and cards rows as genanki writes them, in two statements rather than one per
    row, each note with its own modification time."""
    note_rows, card_rows = [], []
    for n in notes:
        nid = next(ids)
        did = stable_id(f"studydeck:deck:{n.deck}")
        tags = " " + " ".join(n.tags) + " "
        note_rows.append((nid, n.guid, mid, n.mod, -1, tags, "\x1f".join(n.fields), n.fields[0]))
        empty = n.empty_kinds()
        for ord_, kind in enumerate(CardKind):
            if kind not in empty:
                card_rows.append((next(ids), nid, did, ord_, n.mod))
    c.executemany("INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,0,0,'')", note_rows)
    c.executemany("INSERT INTO cards VALUES (?,?,?,?,?,-1,0,0,0,0,0,0,0,0,0,0,0,'')", card_rows)


def write_package(
    decks: Sequence[genanki.Deck],
    media: dict[str, bytes],
    out: Path,
    timestamp: float,
    notes: Sequence[PaperNote] = (),
) -> None:
    """genanki's package writer, without the temporary file it leaves behind, written
    atomically (a half-written .apkg never replaces a good one). ``timestamp`` is the note
    type's time; each note carries its own."""
    with (
        tempfile.TemporaryDirectory(prefix="studydeck-") as tmp,
        atomic_file(out, what="Anki package") as fh,
    ):
        db_path = os.path.join(tmp, "collection.anki2")
        conn = sqlite3.connect(db_path)
        try:
            ids = count(int(timestamp * 1000))
            genanki.Package(list(decks)).write_to_db(conn.cursor(), timestamp, ids)
            _write_notes(conn, notes, MODEL_ID, ids)
            conn.commit()
        except sqlite3.OperationalError as exc:  # the temporary folder is full
            raise OSError(errno.ENOSPC, str(exc)) from None
        finally:
            conn.close()
        names = sorted(media)
        with zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED) as z:  # as genanki and fast
            # Fixed entry times: the same deck and ``now`` give the same bytes, whatever the clock.
            z.writestr(_entry("collection.anki2"), Path(db_path).read_bytes())
            z.writestr(_entry("media"), json.dumps({str(i): n for i, n in enumerate(names)}))
            for i, n in enumerate(names):
                z.writestr(_entry(str(i)), media[n], compress_type=zipfile.ZIP_STORED)


def _entry(name: str) -> zipfile.ZipInfo:
    return zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
