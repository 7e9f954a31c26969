"""Digests must equal the reference implementations at every size boundary."""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from venue_audit.acquire.hashing import CHUNK_SIZE, hash_bytes, hash_stream
from venue_audit.acquire.sm3 import SM3


@pytest.mark.parametrize("size", [0, 1, 63, 64, 65, CHUNK_SIZE - 1, CHUNK_SIZE, 5 * CHUNK_SIZE + 3])
def test_digests_equal_hashlib_at_every_size(size: int) -> None:
    data = os.urandom(size)
    digests = hash_stream(io.BytesIO(data), expected_size=size)
    assert digests.size == size
    assert digests.md5 == hashlib.md5(data).hexdigest()
    assert digests.sha256 == hashlib.sha256(data).hexdigest()
    assert digests.sm3 == hashlib.new("sm3", data).hexdigest()
    assert hash_bytes(data) == digests


def test_pure_python_sm3_matches_the_standard_vectors() -> None:
    assert (
        SM3(b"abc").hexdigest()
        == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )
    assert (
        SM3(b"abcd" * 16).hexdigest()
        == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    )


@pytest.mark.parametrize("size", [0, 1, 55, 56, 64, 1000, 70_000])
def test_pure_python_sm3_matches_openssl_and_streams(size: int) -> None:
    data = os.urandom(size)
    streamed = SM3()
    for i in range(0, size, 333):
        streamed.update(data[i : i + 333])
    assert streamed.hexdigest() == SM3(data).hexdigest() == hashlib.new("sm3", data).hexdigest()
