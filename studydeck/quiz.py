"""Quizzes for the hour before a group meeting: selection, questions, distractors, scoring,
readiness and printable handouts. Randomness takes a seed; nothing here touches SM-2.

Distractors come from the most similar papers first (shared keywords, then the nearest
year), are never the answer itself (same paper, or the same text), and when the pool is
too small a question has fewer options and says so.
"""

from __future__ import annotations

import base64
import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path

from studydeck.identity import normalise_title, normalise_url
from studydeck.models import Card, CardKind, Deck, Figure, Paper
from studydeck.rendering import escape, to_html, to_plain
from studydeck.safe import markdown_text
from studydeck.store import CardState, ReviewRow

MAX_OPTIONS = 4
LETTERS = "ABCD"


class QuestionKind(StrEnum):
    CONTRIBUTION_TO_PAPER = "contribution->paper"
    PAPER_TO_CONTRIBUTION = "paper->contribution"
    FIGURE_TO_PAPER = "figure->paper"
    CRITIQUE_TO_PAPER = "critique->paper"
    FLIP = "flip"


@dataclass(frozen=True)
class Option:
    text: str
    paper_key: str


@dataclass(frozen=True)
class Question:
    number: int
    kind: QuestionKind
    prompt: str
    """Inline Markdown: the question, with the clue it asks about."""
    paper: Paper
    card: Card
    options: tuple[Option, ...] = ()
    answer_index: int | None = None
    """Index of the right option; None for a self-graded flip card."""
    answer: str = ""
    figure: Figure | None = None
    note: str = ""

    @property
    def is_choice(self) -> bool:
        return self.answer_index is not None


@dataclass
class Selection:
    keywords: list[str] = field(default_factory=list)
    year: int | None = None
    since: int | None = None
    section: str | None = None
    recent: int | None = None
    agenda: list[str] | None = None

    def describe(self) -> str:
        parts = [f"keyword {k}" for k in self.keywords]
        if self.year is not None:
            parts.append(f"year {self.year}")
        if self.since is not None:
            parts.append(f"since {self.since}")
        if self.section:
            parts.append(f"section {self.section}")
        if self.recent:
            parts.append(f"{self.recent} most recent")
        if self.agenda is not None:
            parts.append("agenda")
        return ", ".join(parts) or "all papers"


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", to_plain(text).casefold())


def match_agenda_line(line: str, papers: Sequence[Paper]) -> Paper | None:
    """A paper for one agenda line (title or link), matched forgivingly."""
    text = line.strip().lstrip("-*0123456789.) ").strip()
    if not text:
        return None
    m = re.search(r"https?://\S+", text)
    if m:
        url = normalise_url(m.group(0).rstrip(")>"))
        for p in papers:
            if p.url and normalise_url(p.url) == url:
                return p
    want = _norm(re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text))
    if not want:
        return None
    for p in papers:
        if _norm(p.title) == want or (p.short_name and _norm(p.short_name) == want):
            return p
    from difflib import SequenceMatcher

    best, best_ratio = None, 0.0
    for p in papers:
        have = _norm(p.title)
        ratio = SequenceMatcher(None, want, have).ratio()
        if want in have and len(want) >= 6:
            ratio = max(ratio, 0.9)
        if ratio > best_ratio:
            best, best_ratio = p, ratio
    return best if best_ratio >= 0.75 else None


def select_papers(
    deck: Deck, sel: Selection, added: Mapping[str, str] | None = None
) -> tuple[list[Paper], list[str]]:
    """The papers a selection names, and the agenda lines that matched nothing.

    ``added`` (paper key -> when the store first saw it, ISO text) orders ``recent``."""
    papers = list(deck.papers)
    if sel.keywords:
        wanted = [k.casefold() for k in sel.keywords]
        papers = [p for p in papers if any(w in k.casefold() for w in wanted for k in p.keywords)]
    if sel.year is not None:
        papers = [p for p in papers if p.year == sel.year]
    if sel.since is not None:
        papers = [p for p in papers if p.year is not None and p.year >= sel.since]
    if sel.section:
        s = sel.section.casefold()
        papers = [p for p in papers if s in p.section.casefold()]
    if sel.recent:
        # Most recently added first, as the store saw them arrive; rows that arrived together
        # (a first import) by their place in the notes: tables are kept newest-first at the
        # top, as in the seed deck.
        seen = added or {}
        papers.sort(key=lambda p: (p.order, p.source))
        papers.sort(key=lambda p: seen.get(p.key, ""), reverse=True)
        papers = papers[: sel.recent]
    unmatched: list[str] = []
    if sel.agenda is not None:
        chosen: list[Paper] = []
        for line in sel.agenda:
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            p = match_agenda_line(line, papers)
            if p is None:
                unmatched.append(line.strip())
            elif p not in chosen:
                chosen.append(p)
        papers = chosen
    return papers, unmatched


def _similar_first(target: Paper, pool: Iterable[Paper], rng: random.Random) -> list[Paper]:
    kws = set(target.keywords)
    scored = []
    for p in pool:
        shared = len(kws & set(p.keywords))
        gap = abs((p.year or 0) - (target.year or 0)) if p.year and target.year else 99
        scored.append((-shared, gap, rng.random(), p))
    scored.sort(key=lambda t: t[:3])
    return [t[3] for t in scored]


def _choice(
    target: Paper, answer: str, candidates: list[tuple[Paper, str]], rng: random.Random
) -> tuple[tuple[Option, ...], int, str]:
    """Options with the answer at a seeded position; distractors never repeat the answer."""
    seen = {_norm(answer)}
    picked: list[Option] = []
    order = _similar_first(target, [p for p, _ in candidates], rng)
    text_of = {p.key: t for p, t in candidates}
    for p in order:
        t = text_of[p.key]
        n = _norm(t)
        if not n or n in seen or normalise_title(p.title) == normalise_title(target.title):
            continue
        seen.add(n)
        picked.append(Option(t, p.key))
        if len(picked) == MAX_OPTIONS - 1:
            break
    idx = rng.randrange(len(picked) + 1)
    options = [*picked[:idx], Option(answer, target.key), *picked[idx:]]
    note = ""
    if len(options) < MAX_OPTIONS:
        note = f"only {len(options)} options: too few other papers to choose from"
    return tuple(options), idx, note


def build_quiz(
    deck: Deck,
    papers: Sequence[Paper],
    n: int,
    seed: int,
    can_show: Callable[[Figure], bool] | None = None,
) -> list[Question]:
    """``n`` questions about ``papers`` (distractors from the whole deck); same seed, same quiz.

    Every paper gets a question before any gets a second; question kinds are spread evenly.
    ``can_show`` says whether a figure can be shown (figure questions need one)."""
    rng = random.Random(seed)
    cards_of: dict[str, dict[CardKind, Card]] = defaultdict(dict)
    for c in deck.cards:
        cards_of[c.paper.key][c.kind] = c
    pool = [p for p in deck.papers]
    plans: list[tuple[Paper, QuestionKind]] = []
    per_paper: list[list[tuple[Paper, QuestionKind]]] = []
    for p in papers:
        cards = cards_of.get(p.key, {})
        kinds: list[QuestionKind] = []
        if CardKind.CONTRIBUTION in cards:
            kinds += [QuestionKind.CONTRIBUTION_TO_PAPER, QuestionKind.PAPER_TO_CONTRIBUTION]
        if (
            p.figures
            and CardKind.CONTRIBUTION in cards
            and (can_show is None or can_show(p.figures[0]))
        ):
            kinds.append(QuestionKind.FIGURE_TO_PAPER)
        if CardKind.CRITIQUE in cards:
            kinds.append(QuestionKind.CRITIQUE_TO_PAPER)
        if cards:
            kinds.append(QuestionKind.FLIP)
        rng.shuffle(kinds)
        if kinds:
            per_paper.append([(p, k) for k in kinds])
    rng.shuffle(per_paper)
    used: dict[QuestionKind, int] = defaultdict(int)
    while len(plans) < n and any(per_paper):
        for options in per_paper:
            if options and len(plans) < n:
                pick = min(options, key=lambda pk: used[pk[1]])
                options.remove(pick)
                used[pick[1]] += 1
                plans.append(pick)
    questions = []
    for i, (p, kind) in enumerate(plans, start=1):
        questions.append(_question(i, p, kind, cards_of, pool, rng))
    return questions


def _question(
    number: int,
    p: Paper,
    kind: QuestionKind,
    cards_of: Mapping[str, Mapping[CardKind, Card]],
    pool: Sequence[Paper],
    rng: random.Random,
) -> Question:
    cards = cards_of[p.key]
    others = [q for q in pool if q.key != p.key]
    title = p.title + (f" ({p.year})" if p.year else "")
    titles = [(q, q.title + (f" ({q.year})" if q.year else "")) for q in others]
    if kind is QuestionKind.PAPER_TO_CONTRIBUTION:
        card = cards[CardKind.CONTRIBUTION]
        cands = [
            (q, cards_of[q.key][CardKind.CONTRIBUTION].back)
            for q in others
            if CardKind.CONTRIBUTION in cards_of.get(q.key, {})
        ]
        opts, idx, note = _choice(p, card.back, cands, rng)
        return Question(
            number,
            kind,
            f"What is the core contribution of **{_md_escape(title)}**?",
            p,
            card,
            opts,
            idx,
            card.back,
            note=note,
        )
    if kind is QuestionKind.FLIP:
        card = cards[rng.choice(sorted(cards, key=lambda k: k.value))]
        return Question(
            number, kind, f"{card.question} — **{_md_escape(title)}**", p, card, answer=card.back
        )
    # The three "which paper?" kinds: a clue from one card, the paper's title to find.
    card = cards[
        CardKind.CRITIQUE if kind is QuestionKind.CRITIQUE_TO_PAPER else CardKind.CONTRIBUTION
    ]
    prompt = {
        QuestionKind.FIGURE_TO_PAPER: "Which paper is this figure from?",
        QuestionKind.CRITIQUE_TO_PAPER: f"Which paper does this critique belong to?\n\n> {card.back}",
        QuestionKind.CONTRIBUTION_TO_PAPER: f"Which paper contributes this?\n\n> {card.back}",
    }[kind]
    figure = p.figures[0] if kind is QuestionKind.FIGURE_TO_PAPER else None
    opts, idx, note = _choice(p, title, titles, rng)
    return Question(number, kind, prompt, p, card, opts, idx, title, figure=figure, note=note)


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)


# -- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuizAnswer:
    question: Question
    correct: bool
    seconds: float
    chosen: int | None = None


@dataclass
class QuizResult:
    answers: list[QuizAnswer]

    @property
    def score(self) -> int:
        return sum(a.correct for a in self.answers)

    @property
    def seconds(self) -> float:
        return sum(a.seconds for a in self.answers)

    @property
    def misses(self) -> list[Question]:
        return [a.question for a in self.answers if not a.correct]

    def by_keyword(self) -> dict[str, tuple[int, int]]:
        out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for a in self.answers:
            for k in a.question.paper.keywords or ("(no keyword)",):
                out[k][0] += a.correct
                out[k][1] += 1
        return {k: (v[0], v[1]) for k, v in sorted(out.items())}

    def log_rows(self) -> list[tuple[str, str, str, bool, float]]:
        return [
            (
                a.question.card.id,
                a.question.paper.key,
                a.question.kind.value,
                a.correct,
                round(a.seconds, 2),
            )
            for a in self.answers
        ]


# -- readiness -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Readiness:
    paper: Paper
    reviewed: bool
    lapses: int
    easiness: float
    last_grade: int | None
    weakness: float


def readiness(
    papers: Sequence[Paper],
    deck: Deck,
    states: Mapping[str, CardState],
    history: Sequence[ReviewRow],
) -> list[Readiness]:
    """The papers ranked weakest first: never reviewed, often failed, hard, last graded low."""
    last: dict[str, int] = {}
    for r in history:
        last[r.paper_key] = r.quality
    reviewed_cards = {r.card_id for r in history}
    ids: dict[str, list[str]] = defaultdict(list)
    for c in deck.cards:
        ids[c.paper.key].append(c.id)
    out = []
    for p in papers:
        sts = [states[i] for i in ids.get(p.key, []) if i in states]
        seen = [states[i] for i in ids.get(p.key, []) if i in states and i in reviewed_cards]
        lapses = sum(s.lapses for s in sts)
        ef = min((s.sm2.easiness for s in seen), default=2.5)
        grade = last.get(p.key)
        weakness = (3.0 if not seen else 0.0) + lapses + 2 * (2.5 - ef)
        if grade is not None:
            weakness += (4 - grade) / 2
        out.append(Readiness(p, bool(seen), lapses, ef, grade, round(weakness, 2)))
    out.sort(key=lambda r: (-r.weakness, r.paper.title))
    return out


# -- handouts ------------------------------------------------------------------------------


def handout_markdown(
    questions: Sequence[Question], ready: Sequence[Readiness], title: str, subtitle: str
) -> str:
    lines = [f"# {title}", "", f"_{subtitle}_", "", "## Questions", ""]
    for q in questions:
        lines.append(f"**{q.number}.** {q.prompt.replace(chr(10), chr(10) + '   ')}")
        if q.figure is not None:
            lines += ["", f"   ![{q.figure.alt}]({q.figure.src})"]
        lines.append("")
        if q.is_choice:
            for i, o in enumerate(q.options):
                lines.append(f"   {LETTERS[i]}. {o.text}")
            if q.note:
                lines.append(f"   _({q.note})_")
        else:
            lines.append("   _(recall, then check the answer key)_")
        lines.append("")
    lines += [
        "## Readiness: re-read these first",
        "",
        "| # | paper | reviewed | lapses | easiness | last grade |",
        "|-|-|-|-|-|-|",
    ]
    for i, r in enumerate(ready, start=1):
        cell = r.paper.title.replace("|", "\\|")
        grade = "" if r.last_grade is None else r.last_grade
        lines.append(
            f"| {i} | {cell} | {'yes' if r.reviewed else 'never'} "
            f"| {r.lapses} | {r.easiness:.2f} | {grade} |"
        )
    lines += ["", "---", "", "## Answer key", ""]
    for q in questions:
        if q.is_choice and q.answer_index is not None:
            lines.append(f"{q.number}. **{LETTERS[q.answer_index]}** — {q.paper.title}")
        else:
            lines.append(f"{q.number}. {q.answer.replace(chr(10), ' ')} — {q.paper.title}")
    # HTML in the notes is shown as text by whatever renders the handout, never run.
    return markdown_text("\n".join(lines) + "\n")


HANDOUT_CSS = """
body { font-family: -apple-system, "Segoe UI", "PingFang SC", "Noto Sans CJK SC", sans-serif;
       max-width: 50em; margin: 2em auto; line-height: 1.5; color: #222; padding: 0 1em; }
h1 { margin-bottom: 0; } .sub { color: #666; margin-top: .2em; }
ol.questions > li { margin-bottom: 1.2em; break-inside: avoid; }
ol.options { list-style: upper-alpha; margin: .4em 0; }
blockquote { margin: .4em 0; padding-left: .8em; border-left: 3px solid #ccc; color: #333; }
img { max-width: 100%; max-height: 18em; display: block; margin: .5em 0; }
table { border-collapse: collapse; width: 100%; font-size: .9em; }
td, th { border-bottom: 1px solid #ddd; padding: .3em .5em; text-align: left; }
.note { color: #888; font-size: .85em; }
.key { break-before: page; page-break-before: always; }
"""


def _prompt_html(prompt: str) -> str:
    head, _, quote = prompt.partition("\n\n> ")
    out = to_html(head)
    if quote:
        out += f"<blockquote>{to_html(quote)}</blockquote>"
    return out


def handout_html(
    questions: Sequence[Question],
    ready: Sequence[Readiness],
    title: str,
    subtitle: str,
    figure_data: Mapping[str, tuple[str, bytes]],
) -> str:
    """A printable page; ``figure_data`` maps a figure src to (mime type, bytes) for data URIs."""
    parts = [
        f'<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title><style>{HANDOUT_CSS}</style></head><body>",
        f'<h1>{escape(title)}</h1><p class="sub">{escape(subtitle)}</p>',
        '<h2>Questions</h2><ol class="questions">',
    ]
    for q in questions:
        parts.append(f"<li>{_prompt_html(q.prompt)}")
        if q.figure is not None:
            data = figure_data.get(q.figure.src)
            if data is not None:
                b64 = base64.b64encode(data[1]).decode("ascii")
                parts.append(
                    f'<img alt="{escape(q.figure.alt)}" src="data:{data[0]};base64,{b64}">'
                )
            else:
                parts.append(
                    f'<p class="note">figure: <a href="{escape(q.figure.src)}">'
                    f"{escape(q.figure.alt or q.figure.src)}</a></p>"
                )
        if q.is_choice:
            parts.append(
                '<ol class="options">'
                + "".join(f"<li>{to_html(o.text)}</li>" for o in q.options)
                + "</ol>"
            )
            if q.note:
                parts.append(f'<p class="note">({escape(q.note)})</p>')
        else:
            parts.append('<p class="note">(recall, then check the answer key)</p>')
        parts.append("</li>")
    parts.append(
        "</ol><h2>Readiness: re-read these first</h2><table><tr><th>#</th><th>paper</th>"
        "<th>reviewed</th><th>lapses</th><th>easiness</th><th>last grade</th></tr>"
    )
    for i, r in enumerate(ready, start=1):
        parts.append(
            f"<tr><td>{i}</td><td>{escape(r.paper.title)}</td>"
            f"<td>{'yes' if r.reviewed else 'never'}</td><td>{r.lapses}</td>"
            f"<td>{r.easiness:.2f}</td><td>{'' if r.last_grade is None else r.last_grade}"
            "</td></tr>"
        )
    parts.append('</table><section class="key"><h2>Answer key</h2><ol>')
    for q in questions:
        if q.is_choice and q.answer_index is not None:
            parts.append(f"<li><b>{LETTERS[q.answer_index]}</b> — {escape(q.paper.title)}</li>")
        else:
            parts.append(f"<li>{to_html(q.answer)} — {escape(q.paper.title)}</li>")
    parts.append("</ol></section></body></html>")
    return "\n".join(parts)


def handout_subtitle(sel: Selection, seed: int, n: int, today: date) -> str:
    return f"{n} questions · {sel.describe()} · seed {seed} · {today.isoformat()}"


def is_html_path(path: Path) -> bool:
    return path.suffix.lower() in (".html", ".htm")
