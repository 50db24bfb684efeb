"""Reading and writing user files without hanging, blowing up or leaving half a file.

``read_regular`` never opens a FIFO for a blocking read (it would wait forever for a
writer) and checks the size before reading, so a 4 GB sparse file is refused, not loaded.
``write_atomic`` writes a temporary file in the target's folder and renames it over the
target: the old file or the new one, never a torn one, and no ``.part`` left behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from studydeck.errors import StudydeckError


class ReadRefused(Exception):
    """Why a file was not read, in words for the user."""


def read_regular(path: Path, max_bytes: int | None = None) -> bytes:
    """The bytes of a regular file no larger than ``max_bytes``.

    Raises :class:`ReadRefused` for a FIFO, socket, device or folder, or a file too large,
    and ``OSError`` when it cannot be opened.
    """
    # O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ReadRefused("not a regular file")
        if max_bytes is not None and st.st_size > max_bytes:
            raise ReadRefused(f"larger than {_size(max_bytes)}")
        data = fh.read() if max_bytes is None else fh.read(max_bytes + 1)
    if max_bytes is not None and len(data) > max_bytes:  # it grew while being read
        raise ReadRefused(f"larger than {_size(max_bytes)}")
    return data


def read_head(path: Path, n: int) -> bytes:
    """The first ``n`` bytes of a regular file (:class:`ReadRefused` "not a regular file" for
    a FIFO, socket or device, without waiting on it; ``OSError`` when it cannot be opened)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ReadRefused("not a regular file")
        return fh.read(n)


def _size(n: int) -> str:
    return f"{n / 2**20:g} MB" if n >= 2**20 else f"{n} bytes"


@contextlib.contextmanager
def atomic_file(
    path: Path, *, what: str = "file", hint: str | None = None, make_parents: bool = False
) -> Iterator[BinaryIO]:
    """A file to write ``path`` through: it replaces ``path`` only when the block ends
    normally. Any ``OSError`` becomes a one-line :class:`StudydeckError` (path, reason, what
    to do); ``path`` is left as it was and no temporary file stays behind."""
    folder = path.parent
    tmp: str | None = None
    try:
        if make_parents:
            folder.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, "Is a directory")
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it 0600; a normal file is wanted
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise StudydeckError(
            f"cannot write the {what}: {exc.strerror or exc}",
            path=path,
            hint=hint or _hint(exc, folder),
        ) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def write_atomic(
    path: Path,
    data: bytes | str,
    *,
    what: str = "file",
    hint: str | None = None,
    make_parents: bool = False,
) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` all at once: see :func:`atomic_file`."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_file(path, what=what, hint=hint, make_parents=make_parents) as fh:
        fh.write(raw)


def _hint(exc: OSError, folder: Path) -> str:
    if exc.errno == errno.ENOSPC:
        return "free some disk space and try again"
    if exc.errno == errno.ENOENT and not folder.is_dir():
        return f"create the folder {folder} first"
    if exc.errno == errno.EISDIR:
        return "name a file, not a folder"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "choose a folder you can write to"
    return "choose another place to write to"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
