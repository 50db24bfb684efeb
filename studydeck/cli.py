"""Command line: argument parsing and exit codes only; the work is done by the domain."""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, cast

from studydeck import __version__
from studydeck.config import Settings, db_path, demo_db_path, load_settings
from studydeck.deck import bundled_deck, default_paths, load
from studydeck.errors import StudydeckError, no_such_path
from studydeck.fileio import write_atomic
from studydeck.loading import open_deck
from studydeck.models import CardKind, Deck
from studydeck.perf import gc_paused
from studydeck.safe import TerminalStream, terminal
from studydeck.session import study_day, system_clock
from studydeck.store import ReconcileReport, Store
from studydeck.wording import plural

if TYPE_CHECKING:
    from studydeck.carding import Corrections
    from studydeck.export.anki import ExportReport
    from studydeck.figures import FigureFetcher
    from studydeck.models import Figure, Paper
    from studydeck.quiz import Question, Selection
    from studydeck.sync import SyncReport

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def _paths(args: argparse.Namespace) -> list[Path]:
    return list(args.paths) if args.paths else default_paths()


def _demo(args: argparse.Namespace) -> bool:
    """No notes named, and none found here but the bundled demo deck (package data, or a
    checkout's ``cards/``)."""
    if not hasattr(args, "paths") or args.paths:  # (a command of no notes: the user's store)
        return False
    bundled = bundled_deck().resolve()
    return [p.resolve() for p in default_paths()] in ([bundled], [bundled.parent])


DEMO = (
    "the bundled demo deck, with a store of its own: name your notes file "
    "(studydeck review NOTES.md) to study yours"
)


def _store_path(args: argparse.Namespace) -> Path:
    """The review store: ``--db``, else ``$STUDYDECK_DB``, else the user data dir's; for the
    bundled demo deck (:func:`_demo`) with neither, a store of its own
    (:func:`~studydeck.config.demo_db_path`): a trial's demo answers joined the history of
    the same papers in its own notes."""
    explicit = getattr(args, "db", None)
    env = os.environ.get("STUDYDECK_DB")
    if explicit is None and not env and _demo(args):
        return demo_db_path()
    path = db_path(explicit)
    if path.exists() and not path.is_file():  # (a probe's FIFO, /dev/zero: "disk I/O error")
        raise StudydeckError(
            "the review store named is not a file", path=path, hint=_STORE_HINT, exit_code=2
        )
    return path


_STORE_HINT = "give --db (or $STUDYDECK_DB) the path of a file"


def _open_store(args: argparse.Namespace, path: Path | None = None) -> Store:
    """The review store (at ``path``, when the caller has it from :func:`_store_path`), made
    if it is not there yet; but a store named by ``--db`` or ``$STUDYDECK_DB`` is made only in
    a folder that is there (a probe's mistyped folder was made, with a new empty store in
    it). The user data dir's is made with its folder."""
    path = _store_path(args) if path is None else path
    named = getattr(args, "db", None) is not None or os.environ.get("STUDYDECK_DB")
    if named and not path.exists() and not path.parent.is_dir():
        raise StudydeckError(
            "the review store's folder is not there",
            path=path.parent,
            hint="make the folder first, or " + _STORE_HINT,
            exit_code=EXIT_USAGE,
        )
    return Store.open(path)


def _paths_given_exist(args: argparse.Namespace) -> None:
    """The notes paths on the command line are there (for a command that looks elsewhere
    first: the sync folder, Anki's profile), else the one line every command gives."""
    for given in args.paths:
        if not given.exists():
            raise no_such_path(given)


def _summary(deck: Deck, more_warnings: int = 0) -> str:
    return (
        f"{plural(len(deck.papers), 'paper')}, {plural(len(deck.cards), 'card')}, "
        f"{plural(len(deck.errors), 'error')}, {plural(len(deck.warnings) + more_warnings, 'warning')}"
    )


def settings_from(args: argparse.Namespace) -> Settings:
    return load_settings().with_overrides(
        new_per_day=args.new_per_day,
        reviews_per_day=args.reviews_per_day,
        day_starts_at=args.day_starts_at,
        scheduler=getattr(args, "scheduler", None),
    )


def use_scheduler(store: Store, settings: Settings) -> None:
    """Schedule with the configured scheduler; a switch replays the whole review log."""
    from studydeck.fsrs_scheduler import DEFAULT_PARAMETERS, FsrsSettings
    from studydeck.replay import Policy

    fitted = store.meta("fsrs_parameters")
    params = tuple(json.loads(fitted)) if fitted else DEFAULT_PARAMETERS
    policy = Policy(
        settings.scheduler,
        FsrsSettings(settings.desired_retention, params),
        settings.leech_threshold,
    )
    if store.use_policy(policy):
        print(
            f"studydeck: scheduling with {settings.scheduler}: card states rebuilt "
            "from the review log",
            file=sys.stderr,
        )


def open_store_and_deck(
    args: argparse.Namespace, *, report_changes: bool = True
) -> tuple[Store, Deck, ReconcileReport]:
    """Open the store, read the deck through its cache and reconcile; report changes on stderr.
    Refused (no cards, an error), a store this made is taken away again: a command that did
    nothing leaves no file behind."""
    path = _store_path(args)
    made = not path.exists()
    store = _open_store(args, path)
    try:
        # (not settings_from: some commands open the store without the study options)
        use_scheduler(
            store, load_settings().with_overrides(scheduler=getattr(args, "scheduler", None))
        )
        deck, report = open_deck(store, _paths(args), system_clock())
        for d in deck.diagnostics:
            print(d, file=sys.stderr)
        if not deck.card_count:
            why = (
                "fix the errors above" if deck.errors else "the notes hold no paper rows with cards"
            )
            raise StudydeckError(f"no cards to study: {why}", exit_code=EXIT_ERRORS)
    except BaseException:
        store.close()
        if made:
            for leftover in (path, *(Path(f"{path}{end}") for end in ("-wal", "-shm"))):
                leftover.unlink(missing_ok=True)
        raise
    if report_changes and _demo(args):
        print(f"studydeck: {DEMO}", file=sys.stderr)
    if report.changed and report_changes:
        print(f"studydeck: {report}", file=sys.stderr)
        for line in report.rename_lines():  # (the titles: sanitised by the stream)
            print(f"  renamed: {line}", file=sys.stderr)
    return store, deck, report


def cmd_stats(args: argparse.Namespace) -> int:
    # The cached deck, the store's rows and the plan are a few hundred thousand small
    # objects, none in a cycle, and the command ends once they are printed: the collector
    # would only scan them, over and over (~0.02 s at 1M reviews).
    with gc_paused():
        return _stats(args)


def _stats(args: argparse.Namespace) -> int:
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
    print(f"again today    {st.repeats} (answered below 4 today: SM-2 asks for them again)")
    print(f"reviewed today {st.reviewed_today}")
    print(f"learning       {st.learning} (lapsed or owed a repeat; due today or later)")
    print(
        f"cards          {st.total_cards} ({st.suspended} suspended, {st.retired} retired, "
        f"{st.leeches} leeches)"
    )
    print(f"streak         {plural(st.streak, 'day')}")
    if st.predicted_recall_now is not None:
        later = st.predicted_recall_in_7_days
        print(
            f"recall         {st.predicted_recall_now:.0%} now, "
            f"{'-' if later is None else f'{later:.0%}'} in 7 days (predicted)"
        )
    if st.retention_by_keyword:
        print("retention by keyword (share of answers graded 3 or more):")
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
        line = f"{paper.where}: warning: figure {fig.src} unavailable: {reason}"
        print(line, file=sys.stderr)


def _kinds(text: str) -> list[CardKind] | None:
    from studydeck.models import CardKind

    kinds: list[CardKind] = []
    for k in text.split(","):
        try:
            kinds.append(CardKind(k.strip()))
        except ValueError:
            print(
                f"studydeck: error: unknown card kind '{k}' (choose from contribution, "
                "insight, critique)",
                file=sys.stderr,
            )
            return None
    return kinds


def _store_and_deck_to_export(args: argparse.Namespace) -> tuple[Store, Deck, ReconcileReport]:
    """The store (paper ids, content times) and the deck, reconciled: export needs both."""
    store, deck, report = open_store_and_deck(args)
    if not deck.papers:
        store.close()
        raise StudydeckError("nothing to export: fix the errors above")
    return store, deck, report


def cmd_export(args: argparse.Namespace) -> int:
    from studydeck.config import cache_dir
    from studydeck.export.anki import ExportError, export_deck
    from studydeck.figures import FigureFetcher

    kinds = _kinds(args.kinds)
    if kinds is None:
        return EXIT_USAGE
    out: Path = args.output
    if out.suffix.lower() != ".apkg":
        out = out.with_suffix(out.suffix + ".apkg") if out.suffix else out.with_suffix(".apkg")
    store, deck, _ = _store_and_deck_to_export(args)
    with store, FigureFetcher(cache_dir() / "figures") as fetcher:
        try:
            report = export_deck(
                deck,
                out,
                store=store,
                deck_name=args.deck_name,
                kinds=kinds,
                figures=not args.no_figures,
                strict=args.strict,
                fetcher=fetcher,
                now=system_clock().timestamp(),
                progress=_progress_bar("exporting"),
            )
        except ExportError as exc:
            _print_unavailable(exc.report)
            raise StudydeckError(
                f"{plural(len(exc.report.unavailable), 'figure')} could not be embedded "
                "and --strict was given; nothing was written",
                path=out,
            ) from exc
    _print_unavailable(report)
    print(report.summary(), file=sys.stderr)
    return EXIT_OK


def _collection(args: argparse.Namespace) -> Path:
    from studydeck.export.anki_sync import default_collection

    return Path(args.collection) if args.collection else default_collection()


def cmd_anki_push(args: argparse.Namespace) -> int:
    from studydeck.config import cache_dir
    from studydeck.export.anki_sync import push
    from studydeck.figures import FigureFetcher

    kinds = _kinds(args.kinds)
    if kinds is None:
        return EXIT_USAGE
    _paths_given_exist(args)  # (before looking for Anki: the first mistake is said first)
    collection = _collection(args)
    store, deck, _ = _store_and_deck_to_export(args)
    with store, FigureFetcher(cache_dir() / "figures") as fetcher:
        report = push(
            deck,
            collection,
            store=store,
            now=system_clock().timestamp(),
            deck_name=args.deck_name,
            kinds=kinds,
            figures=not args.no_figures,
            fetcher=fetcher,
            progress=_progress_bar("pushing"),
        )
    for paper, fig, reason in report.unavailable:
        print(f"{paper.where}: warning: figure {fig.src} unavailable: {reason}", file=sys.stderr)
    print(report.summary(), file=sys.stderr)
    return EXIT_OK


def cmd_anki_pull(args: argparse.Namespace) -> int:
    from studydeck.export.anki_sync import pull

    settings = load_settings()
    collection = _collection(args)
    with _open_store(args) as store:
        report = pull(
            collection,
            store=store,
            leech_threshold=settings.leech_threshold,
            day_starts_at=settings.day_starts_at,
        )
    print(report.summary(), file=sys.stderr)
    return EXIT_OK


def _ask_terminal_about_images() -> None:
    """textual-image asks the terminal what it can draw when imported, which must happen
    before Textual starts. With no terminal on stdout it asks nothing (it draws with
    Unicode, as it would when imported later), so its import -- numpy and PIL, a large part
    of a warm start -- waits for the first figure."""
    if sys.__stdout__ is not None and sys.__stdout__.isatty():
        import textual_image.widget  # noqa: F401


def cmd_review(args: argparse.Namespace, start: str = "review") -> int:
    # The cached deck is hundreds of thousands of small objects made at once, and Textual
    # makes tens of thousands more while starting: the collector would scan them over and
    # over before the first card (~0.1 s of a warm start). The app moves them all out of its
    # sight once it is mounted, and turns it back on there (StudydeckApp.on_mount).
    with gc_paused():
        return _run_app(args, start)


def _run_app(args: argparse.Namespace, start: str) -> int:
    settings = settings_from(args)
    store, deck, report = open_store_and_deck(args, report_changes=False)
    _ask_terminal_about_images()
    from studydeck.config import cache_dir
    from studydeck.figures import FigureFetcher
    from studydeck.tui.app import AppContext, create_app

    with store, FigureFetcher(cache_dir() / "figures") as fetcher, _auto_sync(store, args, deck):
        ctx = AppContext(
            store=store,
            deck=deck,
            paths=_paths(args),
            settings=settings,
            fetcher=fetcher,
            notice=f"Notes read: {report} cards" if report.changed else "",
            demo=DEMO[0].upper() + DEMO[1:] + "." if _demo(args) else "",
        )
        app = create_app(ctx, start=start)
        app.run()
        return app.return_code or 0


@contextmanager
def _auto_sync(store: Store, args: argparse.Namespace, deck: Deck) -> Iterator[None]:
    """When the notes folder opted in: sync before the review, append each answer to this
    device's log as it is made, and sync again after (the events of ``deck``'s cards only)."""
    from studydeck.sync_root import find_root

    root = find_root(_paths(args))
    if root is None:
        yield
        return
    from studydeck.config import device_id_path
    from studydeck.sync import LOG_DIR, DeviceLog, card_keys, device_id, sync

    device = device_id(device_id_path())
    papers = [p.key for p in deck.papers]
    _report_sync(sync(store, root, device, papers))
    with DeviceLog(root / LOG_DIR, device, card_keys(papers)) as log:
        store.journal = log.append
        try:
            yield
        finally:
            store.journal = None
    _report_sync(sync(store, root, device, papers))


def _report_sync(report: SyncReport) -> None:
    for p in report.problems:
        print(p, file=sys.stderr)
    if report.written or report.added:
        print(f"studydeck: {report}", file=sys.stderr)


def cmd_sync(args: argparse.Namespace) -> int:
    from studydeck.config import device_id_path
    from studydeck.sync import device_id, find_root, init, rebuild, status, sync

    paths = _paths(args)
    _paths_given_exist(args)
    if args.init:
        target = paths[0].resolve() if args.paths else Path.cwd()
        root = target if target.is_dir() else target.parent
        for f in init(root):
            print(f"wrote {f}", file=sys.stderr)
        print(
            f"{root} now keeps its review history in .studydeck/reviews/: commit it with your notes"
        )
        if not any((d / ".git").exists() for d in (root, *root.parents)):
            print(
                f"studydeck: {root}: warning: not in a git repository; the history travels "
                "only when .studydeck/ is copied or committed with the notes (git init)",
                file=sys.stderr,
            )
    found = find_root(paths) or (Path.cwd() if args.init else None)
    if found is None:
        raise StudydeckError(
            "no notes folder here syncs its review history",
            hint="run `studydeck sync --init` in the notes folder first",
            exit_code=EXIT_USAGE,
        )
    store, deck, _ = open_store_and_deck(args)
    device = device_id(device_id_path())
    papers = [p.key for p in deck.papers]  # this folder's notes: not the store's other decks
    with store:
        if args.status:
            print(terminal("\n".join(status(store, found, device, papers))))
            return EXIT_OK
        report = (rebuild if args.rebuild else sync)(store, found, device, papers)
    for p in report.problems:
        print(p, file=sys.stderr)
    print(terminal(str(report)))  # device names come from other machines' lines
    return EXIT_OK


def cmd_log(args: argparse.Namespace) -> int:
    import csv

    from studydeck.log_export import csv_rows

    store = _existing_store(args)
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["card_id", "review_time", "review_rating", "review_duration"])
    with store:
        out.writerows(csv_rows(store.answer_times()))  # streamed: flat memory at 1M answers
    return EXIT_OK


def _existing_store(args: argparse.Namespace) -> Store:
    """The review store, for a command that only reads its history: one that is not there
    is said, not made (an empty file at a mistyped ``--db``)."""
    path = _store_path(args)
    if not path.exists():
        raise StudydeckError(
            "no review store here: nothing reviewed yet",
            path=path,
            hint="review first, or give the store's path with --db",
        )
    return Store.open(path)


def cmd_optimize(args: argparse.Namespace) -> int:
    from studydeck.log_export import MIN_REVIEWS, fit_parameters, optimizer_available

    if not optimizer_available():
        print(
            'studydeck: error: FSRS\'s optimizer is not installed: pip install "fsrs[optimizer]"',
            file=sys.stderr,
        )
        return EXIT_USAGE
    with _existing_store(args) as store:
        rows = [r for r in store.reviews() if not r.repeat]
        if len(rows) < MIN_REVIEWS:
            raise StudydeckError(
                f"only {len(rows)} answers logged; fitting FSRS needs at least {MIN_REVIEWS}",
                hint="keep the default parameters for now",
            )
        params = fit_parameters(rows)
        with store.transaction() as c:
            c.execute(
                "INSERT OR REPLACE INTO meta VALUES ('fsrs_parameters', ?)", (json.dumps(params),)
            )
    print(
        f"fitted {len(params)} FSRS parameters to {len(rows)} answers; used with scheduler = fsrs"
    )
    return EXIT_OK


def cmd_home(args: argparse.Namespace) -> int:
    return cmd_review(args, start="home")


def _figure_files(
    questions_or_papers: Sequence[tuple[Figure, Paper]], fetcher: FigureFetcher
) -> dict[str, tuple[str, bytes]]:
    """Bytes of the figures we can get (cache, notes folder, web), by src."""
    from studydeck.figures import FigureError

    out: dict[str, tuple[str, bytes]] = {}
    for fig, paper in questions_or_papers:
        try:
            data = fetcher.get(fig, Path(paper.source))
        except FigureError:
            continue
        out[fig.src] = (data.mime, data.data)
    return out


def _not_an_input(out: Path, args: argparse.Namespace, what: str) -> None:
    """Refuse, before any work, to write a sheet over a file the command reads (a notes
    file, given or in a folder given, the agenda, the review store), or over any notes."""
    from studydeck.deck import find_files

    if not out.exists():
        return
    inputs = [*find_files(_paths(args)).files, _store_path(args)]
    agenda = getattr(args, "agenda", None)
    if agenda is not None:
        inputs.append(agenda)
    for source in inputs:
        try:
            same = out.samefile(source)
        except OSError:
            continue
        if same:
            raise StudydeckError(
                f"the {what} would be written over {source}, which this command reads",
                path=out,
                exit_code=EXIT_USAGE,
                hint=f"write the {what} to another file",
            )
    # Nor over notes the command does not read (another deck, a copy): a sheet is made
    # again in a second, a table of papers read over months is not.
    if out.suffix.lower() == ".md" and load([out]).paper_count:
        raise StudydeckError(
            f"the {what} would be written over a notes file (it holds a table of papers)",
            path=out,
            exit_code=EXIT_USAGE,
            hint=f"write the {what} to another file",
        )


def _write_beside(out: Path, figs: dict[str, tuple[str, bytes]]) -> dict[str, str]:
    """Copy figures next to a Markdown file; src -> the relative path to use."""
    import mimetypes

    refs: dict[str, str] = {}
    if not figs:
        return refs
    folder = out.parent / f"{out.stem}_files"
    for i, (src, (mime, data)) in enumerate(sorted(figs.items()), start=1):
        name = f"figure-{i}{mimetypes.guess_extension(mime) or '.img'}"
        write_atomic(folder / name, data, what="figure", make_parents=True)
        refs[src] = f"{folder.name}/{name}"
    return refs


def _selection(args: argparse.Namespace) -> Selection:
    from studydeck.quiz import Selection
    from studydeck.quiz.assemble import read_agenda

    return Selection(
        keywords=getattr(args, "keyword", None) or [],
        year=getattr(args, "year", None),
        since=getattr(args, "since", None),
        section=getattr(args, "section", None),
        recent=getattr(args, "recent", None),
        agenda=read_agenda(args.agenda) if args.agenda is not None else None,
    )


def _deck_to_read(args: argparse.Namespace) -> Deck:
    """The notes, for a command that only reads them (agenda, brief): through the review
    store's deck cache when there is a store (parsing 50,000 papers takes seconds, the cache
    a fraction of one), else parsed; no store is made for it."""
    if not _store_path(args).exists():
        return load(_paths(args))
    store, deck, _ = open_store_and_deck(args, report_changes=False)
    store.close()
    return deck


def cmd_agenda(args: argparse.Namespace) -> int:
    """Print how each agenda line matched; exit 1 when a line matched nothing."""
    from studydeck.quiz import match_agenda
    from studydeck.quiz.assemble import read_agenda
    from studydeck.quiz.selection import PapersAt

    lines = read_agenda(args.agenda)
    deck = _deck_to_read(args)
    papers = PapersAt(deck, range(deck.paper_count))  # (a Paper made only when read)
    matches = match_agenda(lines, papers, deck.paper_column("title"))
    for m in matches:
        print(m.report())
    return EXIT_ERRORS if any(m.paper is None for m in matches) else EXIT_OK


def cmd_brief(args: argparse.Namespace) -> int:
    from studydeck.config import cache_dir
    from studydeck.figures import FigureFetcher
    from studydeck.quiz import select_papers
    from studydeck.quiz.brief import brief_entries, brief_html, brief_markdown
    from studydeck.quiz.handout import BRIEF_FORMATS, sheet_format

    fmt = sheet_format(args.output, BRIEF_FORMATS, "briefing")  # before any work
    _not_an_input(args.output, args, "briefing")
    deck = _deck_to_read(args)
    papers, matches = select_papers(deck, _selection(args))
    for m in matches:
        print(m.report(), file=sys.stderr)
    if not papers:
        raise StudydeckError("no agenda line matches a paper in your notes", path=args.agenda)
    entries = brief_entries(deck, papers)
    title = f"{deck.name} — briefing"
    with FigureFetcher(cache_dir() / "figures") as fetcher:
        figs = _figure_files([(p.figures[0], p) for p in papers if p.figures], fetcher)
    if fmt == "html":
        text = brief_html(entries, title, figs)
    else:
        text = brief_markdown(entries, title, _write_beside(args.output, figs))
    write_atomic(args.output, text, what="briefing")
    print(f"wrote {args.output}: {plural(len(entries), 'paper')}", file=sys.stderr)
    return EXIT_OK


def cmd_quiz(args: argparse.Namespace) -> int:
    # As cmd_review: the collector waits while the deck is read and the quiz planned (the
    # app turns it back on once mounted, the plain quiz before its questions).
    with gc_paused():
        return _quiz(args)


def _quiz(args: argparse.Namespace) -> int:
    import random
    from datetime import timedelta

    from studydeck.config import cache_dir
    from studydeck.figures import FigureFetcher
    from studydeck.quiz import QuizAnswer, QuizResult, count_line, plan_quiz, readiness
    from studydeck.quiz.assemble import figure_on_hand
    from studydeck.quiz.handout import (
        READINESS_FORMATS,
        handout_format,
        handout_html,
        handout_json,
        handout_markdown,
        handout_subtitle,
        sheet_format,
    )
    from studydeck.quiz.readiness import readiness_markdown
    from studydeck.quiz.results import sent_line

    # The sheets' formats, before any work: a file they cannot be is refused at once.
    to_stdout = str(args.handout) in ("md", "html", "json")
    if args.handout is not None:
        fmt = str(args.handout) if to_stdout else handout_format(args.handout)
    if args.readiness is not None:
        sheet_format(args.readiness, READINESS_FORMATS, "readiness sheet")
    if args.handout is not None and not to_stdout:
        _not_an_input(args.handout, args, "handout")
    if args.readiness is not None:
        _not_an_input(args.readiness, args, "readiness sheet")
    settings = settings_from(args)
    sel = _selection(args)
    store, deck, _ = open_store_and_deck(args)
    with store, FigureFetcher(cache_dir() / "figures") as fetcher:
        seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 10**6)
        plan = plan_quiz(
            deck,
            sel,
            args.n,
            seed,
            store.papers_added,  # (asked only for --recent)
            # A quiz line by line shows no figure: a question about one would name its file,
            # which can give the answer away.
            can_show=(lambda p, f: False)
            if args.plain
            else (lambda p, f: figure_on_hand(fetcher, p, f)),
        )
        questions = plan.questions
        for line in plan.agenda_report():
            print(line, file=sys.stderr)
        today = study_day(system_clock(), settings.day_starts_at)
        print(plan.summary, file=sys.stderr)
        if args.readiness is not None:
            meeting = args.meeting or today
            ready = readiness(
                plan_papers(questions),
                deck,
                store.states(),
                store.reviews(),
                store.quiz_misses(),
                meeting,
            )
            write_atomic(args.readiness, readiness_markdown(ready, meeting), what="readiness sheet")
            print(
                f"wrote {args.readiness}: readiness of {plural(len(ready), 'paper')}",
                file=sys.stderr,
            )
        if args.handout is not None:
            title = f"{deck.name} — quiz"
            sub = handout_subtitle(sel, seed, count_line(questions), today)
            if fmt == "json":
                text = handout_json(questions, seed)
            else:
                shown = [(q.figure, q.paper) for q in questions if q.figure is not None]
                figs = _figure_files(shown, fetcher)
                if fmt == "html":
                    text = handout_html(questions, title, sub, figs)
                elif to_stdout:
                    from studydeck.quiz.handout import data_uri

                    refs = {src: data_uri(*d) for src, d in figs.items()}
                    text = handout_markdown(questions, title, sub, refs)
                else:
                    text = handout_markdown(
                        questions, title, sub, _write_beside(args.handout, figs)
                    )
            if to_stdout:
                sys.stdout.write(text)
            else:
                write_atomic(args.handout, text, what="handout")
                print(f"wrote {args.handout}: {count_line(questions)}", file=sys.stderr)
            if not args.plain:
                return EXIT_OK
        if args.plain:
            from studydeck.plain import ask, run_plain

            gc.enable()  # (a session of questions and answers: the collector runs as usual)
            quiz_id = f"{system_clock().isoformat(timespec='seconds')} seed {seed}"

            def log(ans: QuizAnswer) -> None:
                store.log_quiz(quiz_id, QuizResult([ans]).log_rows(), system_clock())

            result = run_plain(questions, sys.stdin, sys.stdout, args.time_limit, on_answer=log)
            if result.interrupted:
                return 130
            record = args.record
            if result.misses and not record and sys.stdin.isatty():
                reply = ask(
                    f"send the {count_line(result.misses).split(' from ')[0]} you missed to "
                    "tomorrow's review? [y/N] ",
                    sys.stdin,
                    sys.stdout,
                )
                record = (reply or "").lower().startswith("y")
            if record and result.misses:
                n = store.send_to_review(
                    [q.card.id for q in result.misses], today + timedelta(days=1)
                )
                print(sent_line(n, len(result.misses)))
            return EXIT_OK
        # The app, opened on the quiz.
        _ask_terminal_about_images()
        from studydeck.tui.app import AppContext, QuizLaunch, create_app

        ctx = AppContext(
            store=store,
            deck=deck,
            paths=_paths(args),
            settings=settings,
            fetcher=fetcher,
            quiz=QuizLaunch(
                questions,
                seed,
                sel.describe(),
                args.time_limit,
                args.record,
                agenda_report=plan.agenda_report(),
            ),
        )
        app = create_app(ctx, start="quiz")
        app.run()
        return app.return_code or 0


def plan_papers(questions: Sequence[Question]) -> list[Paper]:
    """The papers a quiz asked about, in the order first asked."""
    return list({q.paper.key: q.paper for q in questions}.values())


def cmd_check(args: argparse.Namespace) -> int:
    from studydeck.checking import figure_diagnostics

    deck = load(_paths(args))
    figures = figure_diagnostics(deck.papers)
    for d in sorted((*deck.diagnostics, *figures), key=lambda d: (d.path, d.line)):
        print(terminal(str(d)))
    print(_summary(deck, len(figures)))
    return EXIT_ERRORS if deck.errors or not deck.card_count else EXIT_OK


def cmd_cards(args: argparse.Namespace) -> int:
    from studydeck.carding import explain, with_corrections

    corrections = _corrections(args)
    deck = with_corrections(load(_paths(args)), corrections)
    for d in deck.diagnostics:
        print(d, file=sys.stderr)
    if args.explain:
        for line in explain(deck.papers, corrections):
            print(terminal(line))
    elif args.json:
        from studydeck.boundary import cards_json

        json.dump(cards_json(deck), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for c in deck.cards:
            year = str(c.paper.year) if c.paper.year else "    "
            back = " ".join(c.back.split())
            title = _fit(terminal(c.paper.title), 40)
            print(f"{c.id:<34} {year} {c.kind.value:<12} {title} {_fit(terminal(back), 60)}")
    return EXIT_ERRORS if deck.errors else EXIT_OK


def _corrections(args: argparse.Namespace) -> Corrections:
    """The corrections made with ``m``, from the review store if there is one (never created)."""
    from studydeck.carding import NO_CORRECTIONS

    path = _store_path(args)
    if not path.exists():
        return NO_CORRECTIONS
    with Store.open(path) as store:
        return store.corrections()


def _pad(text: str, width: int) -> str:
    """Pad to a width in terminal cells (CJK characters take two)."""
    from rich.cells import cell_len

    return text + " " * max(0, width - cell_len(text))


def _fit(text: str, width: int) -> str:
    """``text`` in exactly ``width`` terminal cells: cut with an ellipsis, or padded."""
    from rich.cells import cell_len, get_character_cell_size

    if cell_len(text) > width:
        cut, used = [], 0
        for ch in text:
            used += get_character_cell_size(ch)
            if used > width - 1:
                break
            cut.append(ch)
        text = "".join(cut) + "…"
    return _pad(text, width)


MOST = 10**9
"""The largest count an option takes (a probe's ``-n 99999999999999999999`` ended in a
traceback: no list is that long)."""


def _at_least(low: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to :data:`MOST`."""

    def parse(text: str) -> int:
        try:
            value = int(text) if len(text) < 30 else low - 1
        except ValueError:
            value = low - 1
        if not low <= value <= MOST:
            raise argparse.ArgumentTypeError(
                f"expected a whole number from {low} to {MOST:,}, not {text!r}"
            )
        return value

    return parse


_count = _at_least(0)
_positive = _at_least(1)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds > 0, not {text!r}")
    return value


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, not {text!r}") from None


def _hour(text: str) -> int:
    value = _count(text)
    if value > 23:
        raise argparse.ArgumentTypeError(f"expected an hour from 0 to 23, not {text!r}")
    return value


class OneLineParser(argparse.ArgumentParser):
    """A command line studydeck cannot read is said in one line, not argparse's usage block:
    what is wrong, a close option for a mistyped one, and where the options are listed.
    No option is taken from its first letters (``--deck-nam``): a later option sharing
    them would change what an old command line means."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        unknown = message.removeprefix("unrecognized arguments: ")
        if unknown != message:
            words = unknown.split()
            known = [o for a in self._actions for o in a.option_strings]
            if words[0].startswith("-"):
                message = f"unknown option {words[0]!r}"
            else:
                message = f"unexpected {' '.join(words)!r}"
            import difflib  # (only for a command line with a mistake in it)

            close = difflib.get_close_matches(words[0].split("=")[0], known, n=1, cutoff=0.7)
            if words[0].startswith("-") and close:
                message += f"; did you mean {close[0]!r}?"
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


CACHE_STORE = "review store whose deck cache is read, when it exists (none is made)"


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="studydeck",
        description="Spaced-repetition review, Anki export and quizzes from paper-reading notes.",
    )
    parser.add_argument("--version", action="version", version=f"studydeck {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(subparser=p)
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
        p.add_argument(
            "--scheduler",
            choices=("sm2", "fsrs"),
            help="sm2 (default) or fsrs; switching replays the review log",
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
    p.add_argument("--db", type=Path, help="review store (paper ids and note times live there)")
    p.set_defaults(func=cmd_export)
    anki = sub.add_parser(
        "anki",
        help="push notes into an Anki collection, pull reviews back",
        description=(
            "Write straight into an Anki collection (close Anki first), and bring the "
            "reviews done in Anki back into studydeck's history."
        ),
    )
    anki_sub = anki.add_subparsers(dest="anki_command", metavar="ACTION", required=True)
    for action, help_ in (
        ("push", "add and update one note per paper in the collection"),
        ("pull", "add the reviews done in Anki to studydeck's history"),
    ):
        a = anki_sub.add_parser(action, help=help_, description=help_)
        if action == "push":
            a.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="notes files")
            a.add_argument("--deck-name", help="Anki deck name (default: the notes' top heading)")
            a.add_argument("--kinds", default="contribution,insight,critique", help="card kinds")
            a.add_argument("--no-figures", action="store_true", help="do not embed figures")
        a.add_argument(
            "--collection",
            type=Path,
            metavar="FILE",
            help="Anki's collection.anki2 (default: the only Anki profile's)",
        )
        a.add_argument("--db", type=Path, help="review store")
        a.set_defaults(func=cmd_anki_push if action == "push" else cmd_anki_pull, subparser=a)
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
    p.add_argument(
        "-n", type=_positive, default=10, metavar="N", help="questions, at most (default 10)"
    )
    p.add_argument("--seed", type=int, help="same seed, same quiz")
    p.add_argument(
        "--time-limit",
        type=_seconds,
        metavar="SECONDS",
        help="per question, from the question to your answer; late answers count as missed",
    )
    p.add_argument(
        "--handout",
        type=Path,
        metavar="FILE.md|FILE.html|FILE.json|json",
        help="write a handout with an answer key (no app); md, html or json alone: to stdout",
    )
    p.add_argument(
        "--readiness",
        type=Path,
        metavar="FILE.md",
        help="write how ready you are for the quizzed papers (kept out of the handout)",
    )
    p.add_argument(
        "--meeting", type=_day, metavar="YYYY-MM-DD", help="readiness predicted on this day"
    )
    p.add_argument("--plain", action="store_true", help="ask line by line on stdin/stdout")
    p.add_argument("--record", action="store_true", help="send missed cards to tomorrow's review")
    p.set_defaults(func=cmd_quiz)
    help_ = "show which paper each line of an agenda file matches"
    p = sub.add_parser("agenda", help=help_, description=help_)
    p.add_argument("agenda", type=Path, metavar="FILE", help="one title, short name or link a line")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="notes (as for review)")
    p.add_argument("--db", type=Path, help=CACHE_STORE)
    p.set_defaults(func=cmd_agenda, subparser=p)
    p = add("brief", "write a briefing sheet (.html or .md) for the papers of an agenda")
    p.add_argument("--agenda", type=Path, metavar="FILE", required=True, help="the agenda file")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.html|FILE.md")
    p.add_argument("--db", type=Path, help=CACHE_STORE)
    p.set_defaults(func=cmd_brief)
    p = add("check", "check notes files and report problems as file:line lines")
    p.set_defaults(func=cmd_check)
    p = add("sync", "share review history through the notes folder (git)")
    add_store_options(p)
    p.add_argument("--init", action="store_true", help="opt this notes folder in")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--status", action="store_true", help="say what came from where")
    what.add_argument("--rebuild", action="store_true", help="rebuild every card from the logs")
    p.set_defaults(func=cmd_sync)
    p = sub.add_parser("log", help="export the review log", description="export the review log")
    p.add_argument("--db", type=Path, help="review store")
    p.add_argument(
        "--csv",
        action="store_true",
        help="CSV in the FSRS tools' shape (the one format: the default)",
    )
    p.set_defaults(func=cmd_log, subparser=p)
    p = sub.add_parser(
        "optimize",
        help="fit FSRS's parameters to your review log",
        description="fit FSRS's parameters to your review log",
    )
    p.add_argument("--db", type=Path, help="review store")
    p.set_defaults(func=cmd_optimize, subparser=p)
    p = add("cards", "list the flashcards made from the notes")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.add_argument(
        "--explain",
        action="store_true",
        help="each paper's statements, the card each went to, and why",
    )
    p.add_argument(
        "--db", type=Path, help="review store (default: $STUDYDECK_DB, else the user data dir)"
    )
    p.set_defaults(func=cmd_cards)
    return parser


def command_names(parser: argparse.ArgumentParser) -> list[str]:
    """The subcommands, read from the parser itself (one list, never out of date)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []


def _unknown_long_option(
    parser: argparse.ArgumentParser, argv: list[str]
) -> tuple[argparse.ArgumentParser, str] | None:
    """The (sub)command parser and the first ``--option`` on the command line it does not
    know, if any (a value given as ``--opt=value`` is the option's)."""
    sub, rest = parser, argv
    while rest:  # down the named subcommands (``anki push``)
        found = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
        if not found or rest[0] not in found[0].choices:
            break
        sub, rest = found[0].choices[rest[0]], rest[1:]
    known = {o for a in sub._actions for o in a.option_strings}
    for word in rest:
        if word == "--":
            break
        if word.startswith("--") and word.split("=", 1)[0] not in known:
            return sub, word
    return None


def _mistyped_command(word: str, commands: Sequence[str]) -> str | None:
    """The command ``word`` is a typo of, when it cannot be a notes path (``revew``); ""
    for a bare word that is neither a command, close to one, nor a path here (``browse``);
    None when it may be a notes path."""
    if word.startswith("-") or "/" in word or "\\" in word or "." in word or len(word) > 40:
        return None
    try:
        if Path(word).exists():
            return None
    except OSError:  # (a name the system refuses: not a command either)
        return None
    import difflib  # (only for a word that is not a path: not on every start)

    close = difflib.get_close_matches(word, commands, n=1, cutoff=0.6)
    return close[0] if close else ""


def _command_after_options(argv: list[str], commands: Sequence[str]) -> int | None:
    """Where a command's name stands after options given to the home command (``studydeck
    --db x.db stats``: "stats" would be read as a notes path), unless a path of that name
    is here."""
    if not argv[0].startswith("-"):
        return None
    return next((i for i, a in enumerate(argv) if a in commands and not Path(a).exists()), None)


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """Parse; an unknown option is reported with the usage of its subcommand, not the top one,
    and before anything else is checked (``brief --agend x`` said that --agenda is
    required, not that --agend is a typo of it)."""
    mistyped = _unknown_long_option(parser, argv)
    if mistyped is not None:
        mistyped[0].error(f"unrecognized arguments: {mistyped[1]}")
    args, extra = parser.parse_known_args(argv)
    if extra:
        sub = getattr(args, "subparser", parser)
        sub.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. Everything it says on stderr (errors, warnings, reports, the files
    it wrote) goes through :func:`studydeck.safe.terminal` on the way: those lines quote
    the notes, agendas, device logs and the command line itself. (The app draws through
    ``sys.__stderr__``, untouched.)"""
    stderr = sys.stderr
    sys.stderr = cast(TextIO, TerminalStream(stderr))
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    finally:
        sys.stderr = stderr


def _main(argv: list[str]) -> int:
    parser = build_parser()
    commands = command_names(parser)
    home = not argv or (argv[0] not in commands and argv[0] not in ("-h", "--help", "--version"))
    guess = _mistyped_command(argv[0], commands) if home and argv else None
    if guess is not None:
        said = (
            f"unknown command {argv[0]!r}; did you mean '{guess}'?"
            if guess
            else f"{argv[0]!r} is not a command, nor a notes file or folder here"
        )
        print(f"studydeck: error: {said} (commands: {', '.join(commands)})", file=sys.stderr)
        return EXIT_USAGE
    late = _command_after_options(argv, commands) if home and argv else None
    if late is not None:
        rest = [a for i, a in enumerate(argv) if i != late]
        print(
            f"studydeck: error: the command comes first, then its options: "
            f"studydeck {argv[late]} {' '.join(rest)}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        args = _parse(parser, ["review", *argv] if home else argv)
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
    except OSError as exc:  # a path the system refuses (a name too long, ...): one line
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"studydeck: {where}error: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERRORS
