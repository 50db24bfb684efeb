"""Fetch, cache and verify figure images; shared by the review app and the Anki export.

Remote images are downloaded once into the user cache (keyed by URL), following
redirects only to http(s), within an overall deadline per figure (not per read: a server
sending a byte every few seconds is cut off) and a cap on the *decoded* bytes enforced
while streaming (a 7 KB ``gzip, gzip`` body must not inflate to gigabytes in memory).
The bytes must be an image (PNG, JPEG, GIF, WebP or SVG, by signature). Local paths are
resolved against the notes file's folder and refused when they leave it; only regular
files are read, and only after their size is checked. :meth:`FigureFetcher.cancel` stops
downloads in flight (the app calls it when it quits).
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
import weakref
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from studydeck import digests
from studydeck.errors import StudydeckError
from studydeck.fileio import ReadRefused, read_regular, write_atomic
from studydeck.models import Figure

if TYPE_CHECKING:
    import httpx

MAX_BYTES = 20 * 1024 * 1024
TIMEOUT = 10.0
DEADLINE = 30.0
MAX_REDIRECTS = 5

_EXT = {"png": "png", "jpeg": "jpg", "gif": "gif", "webp": "webp", "svg": "svg"}


class FigureError(Exception):
    """Why a figure cannot be had, in words for the user."""


MAX_PIXELS = 25_000_000
"""The most pixels a figure is decoded with (5000 x 5000). A PNG of a few hundred kB can
declare 60000 x 60000, which decoding would take gigabytes for: a hostile-input probe's
crashed the review app each time its card came up."""


def decode_image(data: bytes) -> Any:
    """The figure's image (PIL), decoded; :class:`FigureError` for bytes that are not an image
    or that declare more than :data:`MAX_PIXELS` pixels (read from its header, before any
    decoding)."""
    import io
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise FigureError(
                    f"too large to show: {width} x {height} pixels (at most {MAX_PIXELS:,})"
                )
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise FigureError(f"too large to show ({exc})") from None
    except (OSError, ValueError, SyntaxError) as exc:  # (PIL's errors for bytes it cannot read)
        raise FigureError(f"not an image PIL can read ({exc})") from None
    return image


@dataclass(frozen=True)
class FigureData:
    data: bytes
    kind: str
    """png, jpeg, gif, webp or svg."""

    @cached_property  # hashed once, however often the name is asked for
    def sha256(self) -> str:
        return digests.sha256(self.data).hexdigest()

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
        deadline: float = DEADLINE,
    ) -> None:
        self.cache_dir = cache_dir
        self.timeout = min(timeout, deadline)
        self.deadline = deadline
        self._cancelled = threading.Event()
        self.max_bytes = max_bytes
        self.offline = offline
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        """Every socket the client connected, which a cancel shuts down."""

    def close(self) -> None:
        self.cancel()

    def cancel(self) -> None:
        """Stop every download in flight, and refuse new ones: the app is quitting."""
        self._cancelled.set()
        with self._lock:
            client, sockets = self._client, list(self._sockets)
        for sock in sockets:
            _shut(sock)
        if client is not None:
            client.close()

    def _connected(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)
        if self._cancelled.is_set():  # a cancel that came while it connected
            _shut(sock)

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
            data = read_regular(path, self.max_bytes)  # size checked before a byte is read
        except FileNotFoundError:
            raise FigureError("file not found") from None
        except OSError as exc:
            raise FigureError(f"cannot read file: {exc.strerror}") from None
        except ReadRefused as exc:
            raise FigureError(str(exc)) from None
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
        return self.cache_dir / digests.sha256(url.encode()).hexdigest()

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
                return self._verify(read_regular(cached, self.max_bytes))
            except (FigureError, ReadRefused, OSError):
                with contextlib.suppress(OSError):
                    cached.unlink()
        if self.offline:
            raise FigureError("offline and not in the cache")
        data = self._download(url)
        fig = self._verify(data)
        if cached is not None:
            # The cache only saves a download: a read-only or full cache folder is no error.
            with contextlib.suppress(StudydeckError):
                write_atomic(cached, data, what="figure cache", make_parents=True)
        return fig

    def _download(self, url: str) -> bytes:
        import httpx  # only when something must be downloaded: it costs 50 ms to import

        if self._cancelled.is_set():
            raise FigureError("cancelled")
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(
                    transport=_transport(self._connected),
                    timeout=self.timeout,
                    follow_redirects=False,
                    # Only encodings decoded here, under the cap (httpx would add br, zstd).
                    headers={"User-Agent": "studydeck", "Accept-Encoding": "gzip, deflate"},
                )
            client = self._client
        deadline = time.monotonic() + self.deadline
        seen: set[str] = set()
        try:
            for _ in range(MAX_REDIRECTS + 1):
                if url in seen:
                    raise FigureError("redirect loop")
                seen.add(url)
                with client.stream("GET", url) as resp:
                    if resp.is_redirect:
                        target = urljoin(url, resp.headers.get("location", ""))
                        if not target.startswith(("http://", "https://")):
                            raise FigureError(f"redirect to a non-http(s) address: {target[:60]}")
                        url = target
                        continue
                    if resp.status_code != 200:
                        raise FigureError(f"HTTP {resp.status_code}")
                    body = self._body(resp, deadline)
                    if self._cancelled.is_set():  # a shut socket ends a body of unknown
                        raise FigureError("cancelled")  # length early, without an error
                    return body
            raise FigureError("too many redirects")
        except (httpx.HTTPError, RuntimeError) as exc:  # RuntimeError: client closed
            # Whatever a cancel broke (a read, a connect, the client) says so first.
            if self._cancelled.is_set():
                raise FigureError("cancelled") from None
            if isinstance(exc, httpx.ConnectError):
                raise FigureError("cannot connect (offline?)") from None
            if isinstance(exc, httpx.TimeoutException):
                raise FigureError(f"timed out after {self.timeout:g} s") from None
            raise FigureError(f"cannot fetch: {type(exc).__name__}") from None

    def _body(self, resp: httpx.Response, deadline: float) -> bytes:
        """The decoded body, stopped at the deadline, on cancel or past ``max_bytes``."""
        too_big = FigureError(f"larger than {self.max_bytes // (1024 * 1024)} MB")
        declared = resp.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise too_big
        decoder = _decoder(resp.headers.get("content-encoding", ""))
        out = bytearray()
        for chunk in resp.iter_raw():  # as they arrive: a drip must reach the checks
            if self._cancelled.is_set():
                raise FigureError("cancelled")
            if time.monotonic() > deadline:
                raise FigureError(f"took longer than {self.deadline:g} s")
            if decoder is None:
                out += chunk
            else:
                # max_length: never inflate more than the cap allows, whatever the ratio.
                out += decoder.decompress(chunk, self.max_bytes + 1 - len(out))
                if decoder.unconsumed_tail:
                    raise too_big
            if len(out) > self.max_bytes:
                raise too_big
        if decoder is not None:
            out += decoder.flush()
        return bytes(out)


def _shut(sock: socket.socket) -> None:
    """Wake a read blocked on ``sock`` (it then ends at once): closing the client from
    another thread does not (the reader's poll() waits out its whole timeout)."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _transport(connected: Callable[[socket.socket], None]) -> httpx.HTTPTransport:
    """httpx's transport, telling ``connected`` of each socket it connects (so that a
    cancel can shut it down)."""
    import httpcore
    import httpx

    class Backend(httpcore.SyncBackend):
        def connect_tcp(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
            stream = super().connect_tcp(*args, **kwargs)
            sock = stream.get_extra_info("socket")
            if isinstance(sock, socket.socket):
                connected(sock)
            return stream

    transport = httpx.HTTPTransport()
    pool = getattr(transport, "_pool", None)  # (httpx has no public way to set the backend)
    if pool is not None and hasattr(pool, "_network_backend"):
        pool._network_backend = Backend()
    return transport


def _decoder(encoding: str) -> zlib._Decompress | None:
    """A bounded decoder for one gzip or deflate layer; anything else is refused (stacked
    encodings are how a few KB become gigabytes)."""
    layers = [
        e for e in (x.strip().lower() for x in encoding.split(",")) if e not in ("", "identity")
    ]
    if not layers:
        return None
    if len(layers) > 1:
        raise FigureError(f"refused: stacked Content-Encoding ({encoding[:40]})")
    if layers[0] in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if layers[0] == "deflate":
        return zlib.decompressobj()
    raise FigureError(f"refused: unsupported Content-Encoding ({encoding[:40]})")
