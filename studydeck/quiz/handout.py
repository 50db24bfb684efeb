"""Handouts of a quiz for the group: Markdown, HTML (print to A4), JSON for other tools.

Readiness is never in the group handout: it is personal (see ``readiness``)."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

from studydeck.errors import StudydeckError
from studydeck.quiz.questions import LETTERS, Question, Wording
from studydeck.quiz.selection import Selection
from studydeck.rendering import escape, to_html, to_plain
from studydeck.safe import markdown_destination, markdown_text, safe_href

FigureData = Mapping[str, tuple[str, bytes]]
"""A figure src -> (mime type, bytes), for figures embedded as data URIs."""


def data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def markdown_figure(src: str, alt: str, refs: Mapping[str, str]) -> str:
    """The image line of a figure in a Markdown sheet: the copy beside it or the data URI in
    ``refs``, else the figure's own link when it is http(s); else a line saying it is missing
    (as :func:`figure_html`): a path or scheme from the notes is never written as a link."""
    ref = refs.get(src)
    if ref is None:
        ref = safe_href(src)
    if ref is None:
        return f"_figure not available: {markdown_text(alt or src)}_"
    return f"![{markdown_text(alt)}]({markdown_destination(ref)})"


def prompt_markdown(w: Wording) -> list[str]:
    """A question's wording as Markdown lines: the question, then the clue quoted."""
    named = f"**{markdown_text(w.named)}**" if w.named else ""
    lines = [f"{w.before}{named}{w.after}"]
    if w.quote:
        lines += ["", f"> {markdown_text(w.quote)}"]
    return lines


def handout_markdown(
    questions: Sequence[Question],
    title: str,
    subtitle: str,
    figure_refs: Mapping[str, str] | None = None,
) -> str:
    """CommonMark: options are a list; ``figure_refs`` maps a figure src to the path (next
    to the handout) or data URI to use instead. Text from the notes goes in through
    :func:`studydeck.safe.markdown_text`, one piece at a time: shown as typed, never markup."""
    refs = figure_refs or {}
    lines = [
        f"# {markdown_text(title)}",
        "",
        f"_{markdown_text(subtitle)}_",
        "",
        "## Questions",
        "",
    ]
    for q in questions:
        first, *rest = prompt_markdown(q.wording)
        lines += [f"**{q.number}.** {first}", *rest, ""]
        if q.figure is not None:
            lines += [markdown_figure(q.figure.src, q.figure.alt, refs), ""]
        if q.is_choice:
            lines += [f"- {LETTERS[i]}. {markdown_text(o.text)}" for i, o in enumerate(q.options)]
            if q.note:
                lines += ["", f"_({markdown_text(q.note)})_"]
        else:
            lines.append("_(recall, then check the answer key)_")
        lines.append("")
    lines += ["---", "", "## Answer key", ""]
    for q in questions:
        paper = markdown_text(q.paper.title)
        if q.is_choice and q.answer_index is not None:
            lines.append(f"{q.number}. **{LETTERS[q.answer_index]}** — {paper}")
        else:
            lines.append(f"{q.number}. {markdown_text(q.answer)} — {paper}")
    return "\n".join(lines) + "\n"


HANDOUT_CSS = """
@page { size: A4; margin: 18mm; }
body { font-family: -apple-system, "Segoe UI", "PingFang SC", "Noto Sans CJK SC",
       "Noto Sans SC", "WenQuanYi Micro Hei", sans-serif;
       max-width: 50em; margin: 2em auto; line-height: 1.5; color: #222; padding: 0 1em; }
h1 { margin-bottom: 0; } .sub { color: #666; margin-top: .2em; }
ol.questions > li, section.paper { margin-bottom: 1.2em; break-inside: avoid; }
ol.options { list-style: upper-alpha; margin: .4em 0; }
blockquote { margin: .4em 0; padding-left: .8em; border-left: 3px solid #ccc; color: #333; }
img { max-width: 100%; max-height: 18em; display: block; margin: .5em 0; }
.note { color: #888; font-size: .85em; }
.key { break-before: page; page-break-before: always; }
"""


def page(title: str, body: Sequence[str]) -> str:
    return "\n".join(
        [
            f'<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{escape(title)}'
            f"</title><style>{HANDOUT_CSS}</style></head><body>",
            *body,
            "</body></html>\n",  # a text file ends with a line break
        ]
    )


def figure_html(src: str, alt: str, figure_data: FigureData) -> str:
    data = figure_data.get(src)
    if data is not None:
        return f'<img alt="{escape(alt)}" src="{data_uri(*data)}">'
    return f'<p class="note">figure not available: {escape(alt or src)}</p>'


def handout_html(
    questions: Sequence[Question], title: str, subtitle: str, figure_data: FigureData
) -> str:
    """A printable page; figures embedded as data URIs so the file can be mailed."""
    parts = [
        f'<h1>{escape(title)}</h1><p class="sub">{escape(subtitle)}</p>',
        '<h2>Questions</h2><ol class="questions">',
    ]
    for q in questions:
        head, _, quote = q.prompt.partition("\n\n> ")
        parts.append(f"<li>{to_html(head)}")
        if quote:
            parts.append(f"<blockquote>{to_html(quote)}</blockquote>")
        if q.figure is not None:
            parts.append(figure_html(q.figure.src, q.figure.alt, figure_data))
        if q.is_choice:
            items = "".join(f"<li>{to_html(o.text)}</li>" for o in q.options)
            parts.append(f'<ol class="options">{items}</ol>')
            if q.note:
                parts.append(f'<p class="note">({escape(q.note)})</p>')
        else:
            parts.append('<p class="note">(recall, then check the answer key)</p>')
        parts.append("</li>")
    parts.append('</ol><section class="key"><h2>Answer key</h2><ol>')
    for q in questions:
        if q.is_choice and q.answer_index is not None:
            parts.append(f"<li><b>{LETTERS[q.answer_index]}</b> — {escape(q.paper.title)}</li>")
        else:
            parts.append(f"<li>{to_html(q.answer)} — {escape(q.paper.title)}</li>")
    parts.append("</ol></section>")
    return page(title, parts)


def handout_json(questions: Sequence[Question], seed: int) -> str:
    """The quiz as data for other tools (slides, a group quiz app)."""
    return (
        json.dumps(
            {
                "seed": seed,
                "questions": [
                    {
                        "number": q.number,
                        "kind": q.kind.value,
                        "card_id": q.card.id,
                        "paper": q.paper.title,
                        "clue": to_plain(q.clue),
                        "options": [to_plain(o.text) for o in q.options],
                        "answer": q.answer_index,
                        "answer_text": to_plain(q.answer),
                        "figure": q.figure.src if q.figure is not None else None,
                    }
                    for q in questions
                ],
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )  # a text file ends with a line break


def handout_subtitle(sel: Selection, seed: int, count: str, today: date) -> str:
    return f"{count} · {sel.describe()} · seed {seed} · {today.isoformat()}"


HANDOUT_FORMATS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json"}
BRIEF_FORMATS = {k: v for k, v in HANDOUT_FORMATS.items() if v != "json"}
READINESS_FORMATS = {k: v for k, v in HANDOUT_FORMATS.items() if v == "md"}


def sheet_format(path: Path, formats: Mapping[str, str], what: str) -> str:
    """``md``, ``html`` or ``json`` from the file's extension; a usage error for any other
    (Markdown written into ``b.pdf`` is no PDF): asked before any work is done."""
    fmt = formats.get(path.suffix.lower())
    if fmt is not None:
        return fmt
    names = list(dict.fromkeys(f".{f}" for f in formats.values()))  # .md, .html, .json
    use = "use " + (", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0])
    problem = (
        f"unknown {what} format '{path.suffix}'"
        if path.suffix
        else f"no extension to tell the {what} format by"
    )
    raise StudydeckError(f"{problem}; {use}", path=path, exit_code=2)


def handout_format(path: Path, fmt: str | None = None) -> str:
    """``md``, ``html`` or ``json``: from ``--format``, else the file's suffix."""
    return fmt or sheet_format(path, HANDOUT_FORMATS, "handout")
