"""Fetching, caching and verifying figures, against a local server."""

from __future__ import annotations

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
