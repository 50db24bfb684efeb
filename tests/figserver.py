"""A local HTTP server on 127.0.0.1 that serves test figures (no test touches the internet)."""

from __future__ import annotations

import gzip
import io
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

from PIL import Image


def png(color: tuple[int, int, int] = (200, 30, 30), size: tuple[int, int] = (32, 20)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


GOOD = png()
OTHER = png((20, 90, 200))
# 32 MB of PNG-looking bytes, gzipped once (~32 KB) and twice (~100 bytes).
GZIP_BOMB = gzip.compress(GOOD + b"\0" * (32 * 2**20), compresslevel=9)
GZIP_GZIP = gzip.compress(GZIP_BOMB, compresslevel=9)


class Handler(BaseHTTPRequestHandler):
    hits: ClassVar[dict[str, int]] = {}

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, code: int, body: bytes, ctype: str = "image/png", **headers: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        Handler.hits[self.path] = Handler.hits.get(self.path, 0) + 1
        p = self.path
        if p in ("/good.png", "/fig/image.png"):
            self._send(200, GOOD)
        elif p == "/other/image.png":
            self._send(200, OTHER)
        elif p == "/slow.png":
            time.sleep(3)
            self._send(200, GOOD)
        elif p == "/page.png":
            self._send(200, b"<!doctype html><html><body>Not found</body></html>", "text/html")
        elif p == "/huge.png":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            chunk = GOOD + b"\0" * 65536
            try:
                for _ in range(64):  # ~4 MB, no Content-Length
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif p in ("/gzip-bomb.png", "/gzip-gzip.png"):
            body = GZIP_BOMB if p == "/gzip-bomb.png" else GZIP_GZIP
            encoding = "gzip" if p == "/gzip-bomb.png" else "gzip, gzip"
            self._send(200, body, **{"Content-Encoding": encoding})
        elif p == "/drip.png":  # one byte at a time, each well within any per-read timeout
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            try:
                for b in GOOD[:50]:
                    self.wfile.write(bytes([b]))
                    self.wfile.flush()
                    time.sleep(0.2)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif p == "/stall.png":  # a few bytes, then silence until the client goes
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(GOOD[:8])
            self.wfile.flush()
            self.rfile.read(1)  # returns when the client shuts the connection
        elif p == "/loop1.png":
            self._send(302, b"", Location="/loop2.png")
        elif p == "/loop2.png":
            self._send(302, b"", Location="/loop1.png")
        elif p == "/to-ftp.png":
            self._send(302, b"", Location="ftp://127.0.0.1/x.png")
        elif p == "/moved.png":
            self._send(301, b"", Location="/good.png")
        else:
            self._send(404, b"nope", "text/plain")


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up (timeout, size cap) is what several tests are about


@contextmanager
def serve() -> Iterator[str]:
    server = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
