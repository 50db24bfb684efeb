"""SHA-256 and BLAKE2b, and random hex tokens, without importing :mod:`hashlib`.

``hashlib`` loads OpenSSL's ``_hashlib`` when imported (~4 ms here, on every warm start:
the notes files' SHA-256 is checked before the cached deck is used), and ``secrets`` imports
``hmac``, which imports ``hashlib``. CPython's own builtin modules give the same digests for
a fraction of that (``_blake2`` ~0.3 ms, ``_sha256`` ~1 ms); ``hashlib`` is the fallback
where they are missing. Every studydeck module takes its digests from here.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hashlib import blake2b, sha256
else:
    try:
        from _blake2 import blake2b
    except ImportError:  # (a Python built without it)
        from hashlib import blake2b
    try:
        from _sha256 import sha256  # CPython 3.11
    except ImportError:
        try:
            from _sha2 import sha256  # CPython 3.12+
        except ImportError:
            from hashlib import sha256

__all__ = ["blake2b", "sha256", "token_hex"]


def token_hex(nbytes: int) -> str:
    """``nbytes`` random bytes from the OS, as hex (what ``secrets.token_hex`` gives)."""
    return os.urandom(nbytes).hex()
