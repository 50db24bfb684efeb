"""Fetch, cache and verify figure images; shared by the review app and the Anki export.

Remote images are downloaded once into the user cache (keyed by URL) with a
timeout and a size cap, following redirects only to http(s); the bytes must be
an image (PNG, JPEG, GIF, WebP or SVG, by signature). Local paths are resolved
against the notes file's folder and refused when they leave it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from studydeck.models import Figure

if TYPE_CHECKING:
    import httpx

MAX_BYTES = 20 * 1024 * 1024
TIMEOUT = 10.0
MAX_REDIRECTS = 5

_EXT = {"png": "png", "jpeg": "jpg", "gif": "gif", "webp": "webp", "svg": "svg"}


class FigureError(Exception):
    """Why a figure cannot be had, in words for the user."""


@dataclass(frozen=True)
class FigureData:
    data: bytes
    kind: str
    """png, jpeg, gif, webp or svg."""

    @cached_property  # hashed once, however often the name is asked for
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def mime(self) -> str:
        return "image/svg+xml" if self.kind == "svg" else f"image/{self.kind}"

    @property
    def media_name(self) -> str:
        """A file name from the content: two ``image.png`` never collide, one image is stored once."""
        return f"studydeck-{self.sha256[:20]}.{_EXT[self.kind]}"


def sniff(data: bytes) -> str | None:
    """The image kind by signature, or None when the bytes are not an image we know."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    head = data[:1024].lstrip().lower()
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if head.startswith((b"<?xml", b"<svg", b"<!--")) and b"<svg" in data[:4096].lower():
        return "svg"
    return None


def local_path(src: str, notes_file: Path) -> Path:
    """The file a relative image path names, refused when it leaves the notes folder."""
    if src.startswith("file:") or os.path.isabs(src) or src.startswith("\\"):
        raise FigureError("absolute paths are not allowed; use a path relative to the notes file")
    base = notes_file.resolve().parent
    path = (base / src).resolve()
    if not path.is_relative_to(base):
        raise FigureError("path leaves the notes file's folder")
    return path


class FigureFetcher:
    """Gets figure bytes from the cache, the notes folder or the web."""

    def __init__(
        self,
        cache_dir: Path | None,
        *,
        timeout: float = TIMEOUT,
        max_bytes: int = MAX_BYTES,
        offline: bool = False,
    ) -> None:
        self.cache_dir = cache_dir
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.offline = offline
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def __enter__(self) -> FigureFetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public --------------------------------------------------------------------
    def get(self, figure: Figure, notes_file: Path) -> FigureData:
        """The image bytes, or :class:`FigureError` saying why they cannot be had."""
        if figure.is_remote:
            return self._remote(figure.src)
        if figure.src.startswith("data:"):
            raise FigureError("data: URIs are not supported")
        path = local_path(figure.src, notes_file)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise FigureError("file not found") from None
        except OSError as exc:
            raise FigureError(f"cannot read file: {exc.strerror}") from None
        return self._verify(data)

    def available_without_network(self, figure: Figure) -> bool:
        """A local figure, or a remote one already in the cache (it is not verified here)."""
        if not figure.is_remote:
            return True
        cached = self._cached_path(figure.src)
        return cached is not None and cached.is_file()

    def _cached_path(self, url: str) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / hashlib.sha256(url.encode()).hexdigest()

    # -- internals -------------------------------------------------------------------
    def _verify(self, data: bytes) -> FigureData:
        if len(data) > self.max_bytes:
            raise FigureError(f"larger than {self.max_bytes // (1024 * 1024)} MB")
        kind = sniff(data)
        if kind is None:
            raise FigureError("not an image (expected PNG, JPEG, GIF, WebP or SVG)")
        return FigureData(data, kind)

    def _remote(self, url: str) -> FigureData:
        cached = self._cached_path(url)
        if cached is not None and cached.is_file():
            try:
                return self._verify(cached.read_bytes())
            except FigureError:
                cached.unlink(missing_ok=True)
        if self.offline:
            raise FigureError("offline and not in the cache")
        data = self._download(url)
        fig = self._verify(data)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=cached.parent, prefix=".part-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, cached)
        return fig

    def _download(self, url: str) -> bytes:
        import httpx  # only when something must be downloaded: it costs 50 ms to import

        with self._lock:
            if self._client is None:
                self._client = httpx.Client(
                    timeout=self.timeout,
                    follow_redirects=False,
                    headers={"User-Agent": "studydeck"},
                )
        seen: set[str] = set()
        for _ in range(MAX_REDIRECTS + 1):
            if url in seen:
                raise FigureError("redirect loop")
            seen.add(url)
            try:
                with self._client.stream("GET", url) as resp:
                    if resp.is_redirect:
                        target = urljoin(url, resp.headers.get("location", ""))
                        if not target.startswith(("http://", "https://")):
                            raise FigureError(f"redirect to a non-http(s) address: {target[:60]}")
                        url = target
                        continue
                    if resp.status_code != 200:
                        raise FigureError(f"HTTP {resp.status_code}")
                    declared = resp.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > self.max_bytes:
                        raise FigureError(f"larger than {self.max_bytes // (1024 * 1024)} MB")
                    chunks: list[bytes] = []
                    size = 0
                    for chunk in resp.iter_bytes():
                        size += len(chunk)
                        if size > self.max_bytes:
                            raise FigureError(f"larger than {self.max_bytes // (1024 * 1024)} MB")
                        chunks.append(chunk)
                    return b"".join(chunks)
            except httpx.ConnectError:
                raise FigureError("cannot connect (offline?)") from None
            except httpx.TimeoutException:
                raise FigureError(f"timed out after {self.timeout:g} s") from None
            except httpx.HTTPError as exc:
                raise FigureError(f"cannot fetch: {type(exc).__name__}") from None
        raise FigureError("too many redirects")
