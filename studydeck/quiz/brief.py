"""A briefing sheet for the group meeting: one block per agenda paper, to print or mail.

Every piece of text from the notes goes through ``rendering.to_html``/``escape``; figures are
data URIs (``figure_data``) so the file stands alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from studydeck.models import CardKind, Deck, Paper
from studydeck.naming import short_names
from studydeck.quiz.distractors import PaperIndex, closest
from studydeck.quiz.handout import FigureData, figure_html, markdown_figure, page
from studydeck.quiz.order import CardsByPaper
from studydeck.quiz.questions import titled
from studydeck.quiz.similarity import related
from studydeck.rendering import escape, to_html
from studydeck.safe import markdown_text


@dataclass(frozen=True)
class BriefEntry:
    paper: Paper
    names: tuple[str, ...]
    contribution: str
    insight: str
    critique: str
    prompts: tuple[str, str]


def brief_entries(deck: Deck, papers: Sequence[Paper]) -> list[BriefEntry]:
    cards_of = CardsByPaper.of_deck(deck)  # (only the briefed papers' cards are made)
    index = PaperIndex.of_deck(deck)
    out = []
    for p in papers:
        # The paper's own short names only: its title's acronym is a key an agenda line
        # may match by (``agenda.names_of``), not a name to print or ask about.
        names = short_names(p.short_name, p.contribution)
        called = names[0] if names else p.title
        backs = {kind: c.back for kind, c in cards_of.get(p.key).items()}
        # (a weakness asked about only where the notes name one: else what it leaves open)
        first = f"What is the key idea of {called} and " + (
            "its main weakness?" if backs.get(CardKind.CRITIQUE) else "what does it leave open?"
        )
        s = closest(index, p)
        if s is not None and related(p, s):
            second = f"How does {called} compare with {s.title}" + (
                f" ({s.year})?" if s.year else "?"
            )
        else:
            second = f"Which paper in your notes is closest to {called}, and how do they differ?"
        out.append(
            BriefEntry(
                p,
                names,
                backs.get(CardKind.CONTRIBUTION, p.contribution),
                backs.get(CardKind.INSIGHT, ""),
                backs.get(CardKind.CRITIQUE, ""),
                (first, second),
            )
        )
    return out


def brief_markdown(entries: Sequence[BriefEntry], title: str, figure_refs: dict[str, str]) -> str:
    """The sheet in Markdown: each piece of text from the notes goes in through
    :func:`studydeck.safe.markdown_text`, shown as typed (never a link, never HTML)."""
    lines = [f"# {markdown_text(title)}", ""]
    for e in entries:
        p = e.paper
        lines += [f"## {markdown_text(titled(p))}", ""]
        if e.names:
            lines.append(f"- **Short name:** {markdown_text(', '.join(e.names))}")
        if p.keywords:
            lines.append(f"- **Keywords:** {markdown_text(', '.join(p.keywords))}")
        lines.append("")
        if p.figures:
            f = p.figures[0]
            lines += [markdown_figure(f.src, f.alt, figure_refs), ""]
        for label, text in (
            ("Contribution", e.contribution),
            ("Key insight", e.insight),
            ("Critique", e.critique),
        ):
            if text:
                lines += [f"**{label}:** {markdown_text(text)}", ""]
        lines += ["**For discussion:**", ""]
        lines += [f"{i}. {markdown_text(q)}" for i, q in enumerate(e.prompts, start=1)]
        lines.append("")
    return "\n".join(lines)


def brief_html(entries: Sequence[BriefEntry], title: str, figure_data: FigureData) -> str:
    parts = [f"<h1>{escape(title)}</h1>"]
    for e in entries:
        p = e.paper
        year = f" ({p.year})" if p.year else ""
        parts.append(f'<section class="paper"><h2>{escape(p.title + year)}</h2><ul>')
        if e.names:
            parts.append(f"<li><b>Short name:</b> {escape(', '.join(e.names))}</li>")
        if p.keywords:
            parts.append(f"<li><b>Keywords:</b> {escape(', '.join(p.keywords))}</li>")
        parts.append("</ul>")
        if p.figures:
            parts.append(figure_html(p.figures[0].src, p.figures[0].alt, figure_data))
        for label, text in (
            ("Contribution", e.contribution),
            ("Key insight", e.insight),
            ("Critique", e.critique),
        ):
            if text:
                parts.append(f"<p><b>{label}:</b> {to_html(text)}</p>")
        parts.append("<p><b>For discussion:</b></p><ol>")
        parts += [f"<li>{escape(q)}</li>" for q in e.prompts]
        parts.append("</ol></section>")
    return page(title, parts)
