"""Fetching, caching and verifying figures, against a local server."""

from __future__ import annotations

import os
import threading
import time
import tracemalloc
from pathlib import Path

import pytest

from studydeck.figures import FigureError, FigureFetcher, sniff
from studydeck.models import Figure

from .figserver import GOOD, Handler, serve


@pytest.fixture(scope="module")
def server():
    with serve() as url:
        yield url


def fetch(url: str, tmp_path: Path, **kw) -> bytes:
    with FigureFetcher(tmp_path / "cache", **kw) as f:
        return f.get(Figure(src=url), tmp_path / "notes.md").data


def test_good_png_is_fetched_once_then_cached(server: str, tmp_path: Path) -> None:
    url = f"{server}/good.png"
    before = Handler.hits.get("/good.png", 0)
    assert fetch(url, tmp_path) == GOOD
    assert fetch(url, tmp_path) == GOOD
    assert Handler.hits["/good.png"] == before + 1
    # and offline, from the cache
    assert fetch(url, tmp_path, offline=True) == GOOD


def test_redirect_followed(server: str, tmp_path: Path) -> None:
    assert fetch(f"{server}/moved.png", tmp_path) == GOOD


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/missing.png", "HTTP 404"),
        ("/page.png", "not an image"),
        ("/huge.png", "larger than 1 MB"),
        ("/loop1.png", "redirect loop"),
        ("/to-ftp.png", "non-http(s)"),
        ("/slow.png", "timed out"),
    ],
)
def test_bad_remote_figures(server: str, tmp_path: Path, path: str, reason: str) -> None:
    with pytest.raises(FigureError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        fetch(server + path, tmp_path, timeout=0.5, max_bytes=1024 * 1024)
    assert not list((tmp_path / "cache").glob("*"))  # nothing bad is cached


def test_offline_without_cache(tmp_path: Path) -> None:
    with pytest.raises(FigureError, match="offline"):
        fetch("http://127.0.0.1:9/x.png", tmp_path, offline=True)


def test_local_paths(tmp_path: Path) -> None:
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "a.png").write_bytes(GOOD)
    (tmp_path / "secret.txt").write_text("x")
    with FigureFetcher(None) as f:
        notes = tmp_path / "notes.md"
        assert f.get(Figure(src="img/a.png"), notes).kind == "png"
        for bad, why in [
            ("../../etc/passwd", "leaves"),
            ("/etc/passwd", "absolute"),
            ("img/../../x.png", "leaves"),
            ("img/nope.png", "not found"),
            ("secret.txt", "not an image"),
        ]:
            with pytest.raises(FigureError, match=why):
                f.get(Figure(src=bad), notes)


def test_sniff() -> None:
    assert sniff(GOOD) == "png"
    assert sniff(b"\xff\xd8\xff\xe0....") == "jpeg"
    assert sniff(b"GIF89a...") == "gif"
    assert sniff(b"RIFF\0\0\0\0WEBPVP8 ") == "webp"
    assert sniff(b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>') == "svg"
    assert sniff(b"<html><body>") is None


def test_available_without_network_means_local_or_cached(server: str, tmp_path: Path) -> None:
    remote = Figure(src=f"{server}/good.png")
    with FigureFetcher(tmp_path / "cache") as f:
        assert f.available_without_network(Figure(src="img/a.png"))
        assert not f.available_without_network(remote)
        data = f.get(remote, tmp_path / "notes.md")
        assert f.available_without_network(remote)
        assert data.mime == "image/png"


def peak_memory_of(fn) -> tuple[int, object]:
    """Peak Python allocation while ``fn`` runs, and what it raised or returned."""
    tracemalloc.start()
    try:
        try:
            out: object = fn()
        except FigureError as exc:
            out = exc
        return tracemalloc.get_traced_memory()[1], out
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("path", ["/gzip-bomb.png", "/gzip-gzip.png"])
def test_compressed_bombs_stop_at_the_decoded_cap(server: str, tmp_path: Path, path: str) -> None:
    peak, out = peak_memory_of(lambda: fetch(f"{server}{path}", tmp_path, max_bytes=2**20))
    assert isinstance(out, FigureError)
    assert str(out) in ("larger than 1 MB", "refused: stacked Content-Encoding (gzip, gzip)")
    # 32 MB decoded was the risk (8.4 GB with the real gzip,gzip body): stay near the cap.
    assert peak < 8 * 2**20


def test_a_dripping_server_meets_the_overall_deadline(server: str, tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(FigureError, match="took longer than 1 s"):
        # Each byte comes in 0.2 s, far within the 5 s read timeout: only a deadline ends it.
        fetch(f"{server}/drip.png", tmp_path, timeout=5, deadline=1)
    assert time.monotonic() - started < 5  # hang guard: the body alone takes 10 s


def cancel_midway(
    fetcher: FigureFetcher, url: str, tmp_path: Path, under_way, guard: float
) -> list[str]:
    """Fetch ``url`` in a thread, cancel once ``under_way()`` holds, and return what the
    fetch raised (the thread must end within ``guard`` seconds)."""
    outcome: list[str] = []

    def run() -> None:
        try:
            fetcher.get(Figure(src=url), tmp_path / "notes.md")
        except FigureError as exc:
            outcome.append(str(exc))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    while not under_way() and thread.is_alive():
        thread.join(0.01)
    fetcher.cancel()
    thread.join(guard)  # hang guard
    assert not thread.is_alive()
    return outcome


def test_cancel_stops_a_download_in_flight(server: str, tmp_path: Path) -> None:
    fetcher = FigureFetcher(tmp_path / "cache", timeout=5, deadline=60)
    # once the request is under way; the drip alone lasts 10 s
    got = cancel_midway(
        fetcher, f"{server}/drip.png", tmp_path, lambda: fetcher._client is not None, 5
    )
    assert got == ["cancelled"]


def test_cancel_wakes_a_read_blocked_on_a_silent_server(server: str, tmp_path: Path) -> None:
    """The server sent part of the body and went quiet; the read waits on the socket. A
    cancel must end it at once, not when the (here 60 s) read timeout runs out."""
    fetcher = FigureFetcher(tmp_path / "cache", timeout=60, deadline=60)
    got = cancel_midway(
        fetcher, f"{server}/stall.png", tmp_path, lambda: bool(fetcher._sockets), 10
    )
    assert got == ["cancelled"]


def test_a_huge_local_figure_is_refused_by_its_size(tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    with big.open("wb") as fh:
        fh.write(GOOD)
        fh.truncate(4 * 2**30)  # sparse: 4 GB on paper, nothing on disk
    peak, out = peak_memory_of(
        lambda: FigureFetcher(None).get(Figure(src="big.png"), tmp_path / "notes.md")
    )
    assert str(out) == "larger than 20 MB"
    assert peak < 2**20  # not a byte of it was read


def test_a_fifo_figure_is_refused_without_reading(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fig.png")
    with pytest.raises(FigureError, match="not a regular file"):
        FigureFetcher(None).get(Figure(src="fig.png"), tmp_path / "notes.md")


def test_a_symlink_out_of_the_notes_folder_is_refused(tmp_path: Path) -> None:
    """A notes folder from someone else (a clone) may hold a link to the user's own files:
    an image reached through it would be embedded in an export shared with others."""
    private = tmp_path / "private"
    private.mkdir()
    (private / "me.png").write_bytes(GOOD)
    notes = tmp_path / "shared" / "notes.md"
    notes.parent.mkdir()
    (notes.parent / "img").symlink_to(private, target_is_directory=True)
    with FigureFetcher(None) as f, pytest.raises(FigureError, match="leaves"):
        f.get(Figure(src="img/me.png"), notes)


def test_a_body_without_a_length_stops_at_the_cap(server: str, tmp_path: Path) -> None:
    """4 MB with no Content-Length and a 1 MB cap: the download stops near the cap, not
    after the whole body (the size check after it would give the same message)."""
    fetch(f"{server}/good.png", tmp_path)  # (httpx imported and warmed up: not measured)
    peak, out = peak_memory_of(lambda: fetch(f"{server}/huge.png", tmp_path, max_bytes=2**20))
    assert str(out) == "larger than 1 MB"
    assert peak < 3 * 2**20, peak


def png_declaring(width: int, height: int) -> bytes:
    """A PNG whose header declares ``width`` x ``height`` pixels, holding almost none: what a
    decompression bomb looks like to whoever reads its header."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    head = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) + chunk(b"IDAT", b"") + chunk(b"IEND", b"")


@pytest.mark.parametrize("size", [(60000, 60000), (6000, 6000), (25_000_001, 1)])
def test_a_figure_declaring_too_many_pixels_is_refused_before_decoding(size) -> None:
    """A hostile-input probe's 437 kB PNG of 60000 x 60000 pixels crashed the review app
    (PIL's DecompressionBombError, uncaught); one of 12000 x 12000 took 1.2 GB to show. At
    most MAX_PIXELS are decoded; more is "too large to show", said as the figure's reason."""
    from studydeck.figures import FigureError, decode_image

    with pytest.raises(FigureError, match="too large to show"):
        decode_image(png_declaring(*size))


def test_a_figure_within_the_cap_is_decoded_and_garbage_is_said_so(tmp_path: Path) -> None:
    import io

    from PIL import Image

    from studydeck.figures import FigureError, decode_image

    out = io.BytesIO()
    Image.new("RGB", (5000, 5000)).save(out, "PNG")
    assert decode_image(out.getvalue()).size == (5000, 5000)
    with pytest.raises(FigureError, match="not an image"):
        decode_image(b"GIF89a but not really")
