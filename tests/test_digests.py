"""studydeck.digests gives exactly hashlib's digests (the deck cache, card ids and the sync
log's file digests are stored: a different digest would orphan them)."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from studydeck import digests


@given(st.binary(max_size=300), st.integers(1, 64))
def test_the_digests_are_hashlibs(data: bytes, size: int) -> None:
    assert digests.sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()
    assert (
        digests.blake2b(data, digest_size=size).digest()
        == hashlib.blake2b(data, digest_size=size).digest()
    )
    h = digests.blake2b(digest_size=16)
    h.update(data)
    h.update(data[::-1])
    assert h.digest() == hashlib.blake2b(data + data[::-1], digest_size=16).digest()


def test_tokens_are_random_hex_of_their_length() -> None:
    tokens = {digests.token_hex(8) for _ in range(50)}
    assert len(tokens) == 50
    assert all(len(t) == 16 and int(t, 16) >= 0 for t in tokens)
