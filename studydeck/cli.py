"""Command line: argument parsing and exit codes only; the work is done by the domain."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from studydeck import __version__
from studydeck.config import Settings, db_path, load_settings
from studydeck.deck import default_paths, load
from studydeck.errors import StudydeckError
from studydeck.loading import open_deck
from studydeck.models import Deck
from studydeck.session import study_day, system_clock
from studydeck.store import ReconcileReport, Store

if TYPE_CHECKING:
    from studydeck.export.anki import ExportReport

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def _paths(args: argparse.Namespace) -> list[Path]:
    return list(args.paths) if args.paths else default_paths()


def _summary(deck: Deck) -> str:
    return (
        f"{len(deck.papers)} papers, {len(deck.cards)} cards, "
        f"{len(deck.errors)} errors, {len(deck.warnings)} warnings"
    )


def settings_from(args: argparse.Namespace) -> Settings:
    return load_settings().with_overrides(
        new_per_day=args.new_per_day,
        reviews_per_day=args.reviews_per_day,
        day_starts_at=args.day_starts_at,
    )


def open_store_and_deck(
    args: argparse.Namespace, *, report_changes: bool = True
) -> tuple[Store, Deck, ReconcileReport]:
    """Open the store, read the deck through its cache and reconcile; report changes on stderr."""
    store = Store.open(db_path(args.db))
    try:
        deck, report = open_deck(store, _paths(args), system_clock())
    except BaseException:
        store.close()
        raise
    for d in deck.diagnostics:
        print(d, file=sys.stderr)
    if not deck.cards and deck.errors:
        store.close()
        raise StudydeckError("no cards to study: fix the errors above", exit_code=EXIT_ERRORS)
    if report.changed and report_changes:
        print(f"studydeck: {report}", file=sys.stderr)
    return store, deck, report


def cmd_stats(args: argparse.Namespace) -> int:
    from studydeck.stats import compute

    settings = settings_from(args)
    store, deck, _ = open_store_and_deck(args)
    with store:
        st = compute(store, deck, study_day(system_clock(), settings.day_starts_at), settings)
    if args.json:
        json.dump(st.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        print()
        return EXIT_OK
    print(f"due today      {st.due_today}")
    print(f"new available  {st.new_available} (of {st.new_total} new)")
    print(f"learning       {st.learning}")
    print(f"reviewed today {st.reviewed_today}")
    print(
        f"cards          {st.total_cards} ({st.suspended} suspended, {st.retired} retired, "
        f"{st.leeches} leeches)"
    )
    print(f"streak         {st.streak} days")
    if st.retention_by_keyword:
        print("retention by keyword (answers >= 3):")
        for kw, share in st.retention_by_keyword.items():
            print(f"  {_pad(kw, 20)} {'-' if share is None else f'{share:.0%}'}")
    return EXIT_OK


def _progress_bar(label: str) -> Callable[[int, int], None] | None:
    """A progress bar on stderr, when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        end = "\n" if done >= total else ""
        print(
            f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}",
            end=end,
            file=sys.stderr,
            flush=True,
        )

    return show


def _print_unavailable(report: ExportReport) -> None:
    for paper, fig, reason in report.unavailable:
        print(f"{paper.where}: warning: figure {fig.src} unavailable: {reason}", file=sys.stderr)


def cmd_export(args: argparse.Namespace) -> int:
    from studydeck.config import cache_dir
    from studydeck.export.anki import ExportError, export_deck
    from studydeck.figures import FigureFetcher
    from studydeck.models import CardKind

    kinds: list[CardKind] = []
    for k in args.kinds.split(","):
        try:
            kinds.append(CardKind(k.strip()))
        except ValueError:
            print(
                f"studydeck: error: unknown card kind '{k}' (choose from contribution, "
                "insight, critique)",
                file=sys.stderr,
            )
            return EXIT_USAGE
    deck = load(_paths(args))
    for d in deck.diagnostics:
        print(d, file=sys.stderr)
    if not deck.papers:
        raise StudydeckError("nothing to export: fix the errors above")
    out: Path = args.output
    if out.suffix.lower() != ".apkg":
        out = out.with_suffix(out.suffix + ".apkg") if out.suffix else out.with_suffix(".apkg")
    with FigureFetcher(cache_dir() / "figures") as fetcher:
        try:
            report = export_deck(
                deck,
                out,
                deck_name=args.deck_name,
                kinds=kinds,
                figures=not args.no_figures,
                strict=args.strict,
                fetcher=fetcher,
                state_file=cache_dir() / "anki-export.json",
                progress=_progress_bar("exporting"),
            )
        except ExportError as exc:
            _print_unavailable(exc.report)
            raise StudydeckError(
                f"{len(exc.report.unavailable)} figures could not be embedded "
                "and --strict was given; nothing was written",
                path=out,
            ) from exc
    _print_unavailable(report)
    print(report.summary(), file=sys.stderr)
    return EXIT_OK


def cmd_review(args: argparse.Namespace, start: str = "review") -> int:
    settings = settings_from(args)
    store, deck, report = open_store_and_deck(args, report_changes=False)
    # textual-image asks the terminal what it can draw; that must happen before Textual starts.
    import textual_image.widget  # noqa: F401

    from studydeck.config import cache_dir
    from studydeck.figures import FigureFetcher
    from studydeck.tui.app import AppContext, create_app

    with store, FigureFetcher(cache_dir() / "figures") as fetcher:
        ctx = AppContext(
            store=store,
            deck=deck,
            paths=_paths(args),
            settings=settings,
            fetcher=fetcher,
            notice=f"Notes read: {report} cards" if report.changed else "",
        )
        app = create_app(ctx, start=start)
        app.run()
        return app.return_code or 0


def cmd_home(args: argparse.Namespace) -> int:
    return cmd_review(args, start="home")


def cmd_quiz(args: argparse.Namespace) -> int:
    import random
    from datetime import timedelta

    from studydeck.config import cache_dir
    from studydeck.figures import FigureError, FigureFetcher
    from studydeck.quiz import (
        QuizAnswer,
        QuizResult,
        Selection,
        build_quiz,
        handout_html,
        handout_markdown,
        handout_subtitle,
        is_html_path,
        readiness,
        select_papers,
    )

    settings = settings_from(args)
    agenda: list[str] | None = None
    if args.agenda is not None:
        try:
            agenda = args.agenda.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            why = exc.strerror if isinstance(exc, OSError) else "not UTF-8"
            raise StudydeckError(
                f"cannot read the agenda: {why}", path=args.agenda, exit_code=EXIT_USAGE
            ) from exc
    store, deck, _ = open_store_and_deck(args)
    with store, FigureFetcher(cache_dir() / "figures") as fetcher:
        sel = Selection(
            keywords=args.keyword or [],
            year=args.year,
            since=args.since,
            section=args.section,
            recent=args.recent,
            agenda=agenda,
        )
        papers, unmatched = select_papers(deck, sel, store.papers_added())
        for line in unmatched:
            print(f"{args.agenda}: warning: no paper matches agenda line '{line}'", file=sys.stderr)
        if not papers:
            raise StudydeckError(
                f"no papers match the selection ({sel.describe()})",
                hint="try fewer filters; `studydeck cards` lists what there is",
            )
        seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 10**6)

        questions = build_quiz(
            deck, papers, args.n, seed, can_show=fetcher.available_without_network
        )
        today = study_day(system_clock(), settings.day_starts_at)
        print(
            f"quiz: {len(questions)} questions on {len(papers)} papers ({sel.describe()}), "
            f"seed {seed}",
            file=sys.stderr,
        )
        if args.handout is not None:
            ready = readiness(papers, deck, store.states(), store.reviews())
            title = f"{deck.name} — quiz"
            sub = handout_subtitle(sel, seed, len(questions), today)
            if is_html_path(args.handout):
                figs: dict[str, tuple[str, bytes]] = {}
                for q in questions:
                    if q.figure is not None:
                        try:
                            data = fetcher.get(q.figure, Path(q.paper.source))
                        except FigureError:
                            continue
                        figs[q.figure.src] = (data.mime, data.data)
                text = handout_html(questions, ready, title, sub, figs)
            else:
                text = handout_markdown(questions, ready, title, sub)
            args.handout.write_text(text, encoding="utf-8")
            print(
                f"wrote {args.handout}: {len(questions)} questions, answer key and readiness",
                file=sys.stderr,
            )
            if not args.plain:
                return EXIT_OK
        if args.plain:
            from studydeck.plain import run_plain

            quiz_id = f"{system_clock().isoformat(timespec='seconds')} seed {seed}"

            def log(ans: QuizAnswer) -> None:
                store.log_quiz(quiz_id, QuizResult([ans]).log_rows(), system_clock())

            result = run_plain(questions, sys.stdin, sys.stdout, args.time_limit, on_answer=log)
            record = args.record
            if result.misses and not record and sys.stdin.isatty():
                reply = input(
                    f"send the {len(result.misses)} missed cards to tomorrow's review? [y/N] "
                )
                record = reply.strip().lower().startswith("y")
            if record and result.misses:
                n = store.send_to_review(
                    [q.card.id for q in result.misses], today + timedelta(days=1)
                )
                print(f"{n} missed cards are due tomorrow")
            return EXIT_OK
        # The app, opened on the quiz.
        import textual_image.widget  # noqa: F401

        from studydeck.tui.app import AppContext, QuizLaunch, create_app

        ctx = AppContext(
            store=store,
            deck=deck,
            paths=_paths(args),
            settings=settings,
            fetcher=fetcher,
            quiz=QuizLaunch(questions, seed, sel.describe(), args.time_limit, args.record),
        )
        app = create_app(ctx, start="quiz")
        app.run()
        return app.return_code or 0


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
            "figures": [asdict(f) for f in c.figures],
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
            print(
                f"{c.id:<34} {year} {c.kind.value:<12} {_pad(c.paper.title[:40], 40)} {back[:60]}"
            )
    return EXIT_ERRORS if deck.errors else EXIT_OK


def _pad(text: str, width: int) -> str:
    """Pad to a width in terminal cells (CJK characters take two)."""
    from rich.cells import cell_len

    return text + " " * max(0, width - cell_len(text))


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, not {text!r}")
    return value


def _hour(text: str) -> int:
    value = _count(text)
    if value > 23:
        raise argparse.ArgumentTypeError(f"expected an hour from 0 to 23, not {text!r}")
    return value


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

    def add_store_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--db", type=Path, help="review store (default: $STUDYDECK_DB, else the user data dir)"
        )
        p.add_argument("--new-per-day", type=_count, metavar="N", help="new cards a day (20)")
        p.add_argument("--reviews-per-day", type=_count, metavar="N", help="reviews a day (200)")
        p.add_argument(
            "--day-starts-at",
            type=_hour,
            metavar="HOUR",
            help="hour a study day begins, local time (4)",
        )

    p = add("review", "open today's review in the terminal app")
    add_store_options(p)
    p.set_defaults(func=cmd_review)
    p = add("stats", "counts, retention per keyword, what is due")
    add_store_options(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_stats)
    p = add("export", "write an Anki package (.apkg) with the figures embedded")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.apkg")
    p.add_argument("--deck-name", help="Anki deck name (default: the notes' top heading)")
    p.add_argument(
        "--kinds",
        default="contribution,insight,critique",
        help="card kinds to export, comma-separated (default: all)",
    )
    p.add_argument("--no-figures", action="store_true", help="do not embed figures")
    p.add_argument("--strict", action="store_true", help="fail when any figure cannot be embedded")
    p.set_defaults(func=cmd_export)
    p = add("quiz", "quiz yourself on some papers (the review schedule is not touched)")
    add_store_options(p)
    p.add_argument(
        "--keyword", action="append", metavar="K", help="papers with keyword K (repeatable)"
    )
    p.add_argument("--year", type=int, metavar="Y", help="papers from year Y")
    p.add_argument("--since", type=int, metavar="Y", help="papers from year Y on")
    p.add_argument("--section", metavar="S", help="papers under a heading containing S")
    p.add_argument("--recent", type=_count, metavar="N", help="the N most recently added rows")
    p.add_argument(
        "--agenda", type=Path, metavar="FILE", help="a reading list: one title or link per line"
    )
    p.add_argument("-n", type=_count, default=10, metavar="N", help="questions (default 10)")
    p.add_argument("--seed", type=int, help="same seed, same quiz")
    p.add_argument("--time-limit", type=float, metavar="SECONDS", help="per question")
    p.add_argument(
        "--handout",
        type=Path,
        metavar="FILE.md|FILE.html",
        help="write a printable handout with an answer key (no app)",
    )
    p.add_argument("--plain", action="store_true", help="ask line by line on stdin/stdout")
    p.add_argument("--record", action="store_true", help="send missed cards to tomorrow's review")
    p.set_defaults(func=cmd_quiz)
    p = add("check", "check notes files and report problems as file:line lines")
    p.set_defaults(func=cmd_check)
    p = add("cards", "list the flashcards made from the notes")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.set_defaults(func=cmd_cards)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    commands = {"review", "stats", "check", "cards", "export", "quiz"}
    home = not argv or (argv[0] not in commands and argv[0] not in ("-h", "--help", "--version"))
    try:
        args = parser.parse_args(["review", *argv] if home else argv)
    except SystemExit as exc:  # argparse has printed its usage line
        return EXIT_USAGE if exc.code else EXIT_OK
    if home:
        args.func = cmd_home
    try:
        return int(args.func(args))
    except StudydeckError as exc:
        print(f"studydeck: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
