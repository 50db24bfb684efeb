"""Command line: argument parsing and exit codes only; the work is done by the domain."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from studydeck import __version__
from studydeck.deck import default_paths, load
from studydeck.errors import StudydeckError
from studydeck.models import Deck

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def _paths(args: argparse.Namespace) -> list[Path]:
    return list(args.paths) if args.paths else default_paths()


def _summary(deck: Deck) -> str:
    return (
        f"{len(deck.papers)} papers, {len(deck.cards)} cards, "
        f"{len(deck.errors)} errors, {len(deck.warnings)} warnings"
    )


def cmd_check(args: argparse.Namespace) -> int:
    deck = load(_paths(args))
    for d in deck.diagnostics:
        print(d)
    print(_summary(deck))
    return EXIT_ERRORS if deck.errors else EXIT_OK


def card_json(deck: Deck) -> list[dict[str, object]]:
    return [
        {
            "id": c.id,
            "kind": c.kind.value,
            "paper": c.paper.title,
            "paper_key": c.paper.key,
            "url": c.paper.url,
            "year": c.paper.year,
            "keywords": list(c.paper.keywords),
            "section": c.paper.section,
            "front": c.front,
            "back": c.back,
            "figures": [f.model_dump() for f in c.figures],
            "source": c.paper.where,
        }
        for c in deck.cards
    ]


def cmd_cards(args: argparse.Namespace) -> int:
    deck = load(_paths(args))
    for d in deck.diagnostics:
        print(d, file=sys.stderr)
    if args.json:
        json.dump(card_json(deck), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for c in deck.cards:
            year = str(c.paper.year) if c.paper.year else "    "
            back = " ".join(c.back.split())
            print(f"{c.id:<34} {year} {c.kind.value:<12} {c.paper.title[:40]:<40} {back[:60]}")
    return EXIT_ERRORS if deck.errors else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="studydeck",
        description="Spaced-repetition review, Anki export and quizzes from paper-reading notes.",
    )
    parser.add_argument("--version", action="version", version=f"studydeck {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.add_argument(
            "paths",
            nargs="*",
            type=Path,
            metavar="PATH",
            help="notes file or folder of .md files (default: ./cards, else the bundled deck)",
        )
        return p

    p = add("check", "check notes files and report problems as file:line lines")
    p.set_defaults(func=cmd_check)
    p = add("cards", "list the flashcards made from the notes")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.set_defaults(func=cmd_cards)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed its usage line
        return EXIT_USAGE if exc.code else EXIT_OK
    if not getattr(args, "func", None):
        args = parser.parse_args(["check", *argv])
    try:
        return int(args.func(args))
    except StudydeckError as exc:
        print(f"studydeck: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
