"""Digests and random tokens: the one place studydeck takes them from.

SHA-256 is OpenSSL's (``hashlib``): it hashes every notes file on each start, and with the
CPU's SHA instructions it is ~8x faster than CPython's builtin ``_sha256`` (2.4 MB: 1.5 ms
against 11.7 ms here), which far outweighs importing ``hashlib`` (~4 ms). BLAKE2b is
CPython's builtin ``_blake2`` (what ``hashlib.blake2b`` is too). Random tokens come from
``os.urandom``, as ``secrets.token_hex`` does, without importing ``secrets`` and ``hmac``.
"""

from __future__ import annotations

import os
from hashlib import sha256
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hashlib import blake2b
else:
    try:
        from _blake2 import blake2b
    except ImportError:  # (a Python built without it)
        from hashlib import blake2b

__all__ = ["blake2b", "sha256", "token_hex"]


def token_hex(nbytes: int) -> str:
    """``nbytes`` random bytes from the OS, as hex (what ``secrets.token_hex`` gives)."""
    return os.urandom(nbytes).hex()
