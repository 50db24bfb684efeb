"""Anki packages (.apkg) via genanki: one note per paper, one card template per card kind.

* The note type id and deck ids are derived from fixed names, never random; a note's
  GUID comes from the paper's stable key, so exporting an edited notes file again
  updates the notes in place and keeps the user's Anki history.
* Anki only takes an update when the package's note is newer, so every export carries a
  modification time later than the one before (kept in the cache folder).
* Figures are fetched once (:mod:`studydeck.figures`) and stored under content-hash
  names; a figure that cannot be had is reported and the card links to it instead.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

import genanki

from studydeck.carding import QUESTIONS
from studydeck.figures import FigureData, FigureError, FigureFetcher
from studydeck.fileio import atomic_file, write_atomic
from studydeck.models import CardKind, Deck, Figure, Paper
from studydeck.rendering import escape, to_html

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
)
KIND_FIELD = {
    CardKind.CONTRIBUTION: "Contribution",
    CardKind.INSIGHT: "Insight",
    CardKind.CRITIQUE: "Critique",
}
MODEL_NAME = "studydeck paper"


def stable_id(name: str) -> int:
    """A fixed id in the range Anki and genanki use, derived from a name."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


MODEL_ID = stable_id("studydeck:model:paper")

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
.answer { margin-top: .6em; }
.figure img { max-width: 100%; max-height: 60vh; height: auto; display: block; margin: .6em auto;
              border-radius: 6px; }
.nightMode .figure img, .night_mode .figure img { background: #fff; }
.source { margin-top: 1.2em; font-size: .7em; opacity: .5; }
"""

_HEAD = """<div class="title">{{#Link}}<a href="{{Link}}">{{Title}}</a>{{/Link}}{{^Link}}{{Title}}{{/Link}}</div>
<div class="meta">{{#Year}}<span class="chip">{{Year}}</span>{{/Year}}{{Keywords}}</div>"""


def _template(kind: CardKind) -> dict[str, str]:
    f = KIND_FIELD[kind]
    figure = (
        '{{#Figure}}<div class="figure">{{Figure}}</div>{{/Figure}}'
        if kind is CardKind.CONTRIBUTION
        else ""
    )
    front = f'{{{{#{f}}}}}{_HEAD}{figure}<div class="question">{escape(QUESTIONS[kind])}</div>{{{{/{f}}}}}'
    back = (
        '{{FrontSide}}<hr id="answer"><div class="answer">{{' + f + "}}</div>"
        '<div class="source">{{Source}}</div>'
    )
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


def safe_tag(text: str) -> str:
    return re.sub(r"\s+", "_", text.strip()).replace('"', "")


@dataclass
class ExportReport:
    path: Path
    notes: int = 0
    cards: int = 0
    figures: int = 0
    unavailable: list[tuple[Paper, Figure, str]] = field(default_factory=list)

    def summary(self) -> str:
        text = f"wrote {self.path.name}: {self.notes} notes, {self.cards} cards, {self.figures} figures"
        if self.unavailable:
            text += f" ({len(self.unavailable)} unavailable: see above)"
        return text


class ExportError(Exception):
    """``--strict`` and some figures could not be had; ``report`` says which."""

    def __init__(self, report: ExportReport) -> None:
        super().__init__(f"{len(report.unavailable)} figures could not be embedded")
        self.report = report


def _next_mod_time(state_file: Path | None, now: float) -> int:
    """A modification time later than the last export's, so Anki takes the update."""
    last = 0
    if state_file is not None and state_file.is_file():
        try:
            last = int(json.loads(state_file.read_text())["mod"])
        except (ValueError, KeyError, OSError):
            last = 0
    mod = max(int(now), last + 1)
    if state_file is not None:
        write_atomic(
            state_file,
            json.dumps({"mod": mod}),
            what="export state",
            hint="make the cache folder writable, or set XDG_CACHE_HOME",
            make_parents=True,
        )
    return mod


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


def build_fields(
    paper: Paper, texts: Mapping[CardKind, str], kinds: Iterable[CardKind], figure_html: str
) -> list[str]:
    """The note's fields; ``texts`` holds the back of each card studydeck made for the paper."""
    chosen = set(kinds)
    chips = "".join(f'<span class="chip">{escape(k)}</span>' for k in paper.keywords)
    return [
        escape(paper.title),
        escape(paper.url or ""),
        str(paper.year) if paper.year is not None else "",
        chips,
        *(to_html(texts.get(k, "")) if k in chosen else "" for k in CardKind),
        figure_html if CardKind.CONTRIBUTION in chosen else "",
        escape(f"{os.path.basename(paper.source)}:{paper.line}"),
    ]


def export_deck(
    deck: Deck,
    out: Path,
    *,
    deck_name: str | None = None,
    kinds: Sequence[CardKind] = tuple(CardKind),
    figures: bool = True,
    strict: bool = False,
    fetcher: FigureFetcher | None = None,
    state_file: Path | None = None,
    now: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ExportReport:
    """Write ``deck`` to ``out`` as an Anki package."""
    name = deck_name or deck.name
    report = ExportReport(out)
    fetched: dict[tuple[str, str], FigureData | FigureError] = {}
    if figures and fetcher is not None:
        fetched = _fetch_all(deck.papers, fetcher)
    sections = {p.section for p in deck.papers}
    subdecks = len(sections) > 1
    decks: dict[str, genanki.Deck] = {}
    model = note_model()
    media: dict[str, bytes] = {}
    total = len(deck.papers)
    backs: dict[str, dict[CardKind, str]] = {}
    for card in deck.cards:
        backs.setdefault(card.paper.key, {})[card.kind] = card.back
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
                parts.append(f'<a href="{escape(fig.src)}">{escape(fig.alt or fig.src)}</a>')
        fields = build_fields(paper, backs.get(paper.key, {}), kinds, "".join(parts))
        n_cards = sum(1 for k in CardKind if fields[FIELDS.index(KIND_FIELD[k])])
        if not n_cards:
            continue
        sub = (
            f"{name}::{paper.section}"
            if subdecks and paper.section and paper.section != name
            else name
        )
        if sub not in decks:
            decks[sub] = genanki.Deck(stable_id(f"studydeck:deck:{sub}"), sub)
        tags = [safe_tag(k) for k in paper.keywords if safe_tag(k)]
        if paper.year is not None:
            tags.append(f"year::{paper.year}")
        decks[sub].add_note(
            genanki.Note(
                model=model,
                fields=fields,
                tags=tags,
                guid=genanki.guid_for("studydeck", paper.key),
            )
        )
        report.notes += 1
        report.cards += n_cards
        if progress is not None and (i % 200 == 0 or i == total - 1):
            progress(i + 1, total)
    if strict and report.unavailable:
        raise ExportError(report)
    report.figures = len(media)
    mod = _next_mod_time(state_file, time.time() if now is None else now)
    write_package(list(decks.values()), media, out, mod)
    return report


def write_package(
    decks: Sequence[genanki.Deck], media: dict[str, bytes], out: Path, timestamp: float
) -> None:
    """genanki's package writer, without the temporary file it leaves behind, written
    atomically (a half-written .apkg never replaces a good one)."""
    with (
        tempfile.TemporaryDirectory(prefix="studydeck-") as tmp,
        atomic_file(out, what="Anki package", make_parents=True) as fh,
    ):
        db_path = os.path.join(tmp, "collection.anki2")
        conn = sqlite3.connect(db_path)
        try:
            genanki.Package(list(decks)).write_to_db(
                conn.cursor(), timestamp, count(int(timestamp * 1000))
            )
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
