"""Subject keys: the identifiers that tie a consent row to a person.

Venues rarely write the same identifier the same way twice: a phone number is
``+86 138-0013-8000`` in one export and ``13800138000`` in another, and a
privacy-minded system keeps only its SHA-256 or MD5. Each key value is turned
into a set of *match tokens* (the normalised value plus the hashes a system
might have stored instead), so two values refer to the same subject exactly when
their token sets meet, whatever form either side keeps.
"""

from __future__ import annotations

import hashlib
import re

_PHONE_NOISE = re.compile(r"[\s\-().]")
_CN_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_CN_ID = re.compile(r"^\d{17}[\dX]$")
_HEX = re.compile(r"^[0-9a-f]+$")

# Hash lengths in hex digits, by the algorithm a venue system is likely to use.
_HASH_BY_LENGTH = {64: "sha256", 32: "md5", 40: "sha1"}


def normalise_phone(value: str) -> str:
    """Digits of a Chinese mobile number without country code or separators.

    Numbers that do not look like a mainland mobile after stripping are returned
    with only the separators removed, so landlines still compare equal to
    themselves.
    """
    digits = _PHONE_NOISE.sub("", value.strip())
    for prefix in ("+86", "0086", "86"):
        rest = digits[len(prefix):]
        if digits.startswith(prefix) and _CN_MOBILE.match(rest):
            return rest
    return digits


def normalise_id_number(value: str) -> str:
    return re.sub(r"\s", "", value).upper()


def _digests(text: str) -> set[str]:
    data = text.encode("utf-8")
    return {
        f"sha256:{hashlib.sha256(data).hexdigest()}",
        f"md5:{hashlib.md5(data).hexdigest()}",
        f"sha1:{hashlib.sha1(data).hexdigest()}",
    }


def sha256_token(value: str) -> str:
    """The stored form of a phone or ID number: its SHA-256, never the number."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def match_tokens(value: object) -> set[str]:
    """Every form under which ``value`` could appear on the other side of a link."""
    if value is None or isinstance(value, bytes | bytearray | memoryview | bool):
        return set()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if not text:
        return set()
    tokens = {f"v:{text.casefold()}"}
    lowered = text.lower()
    if lowered.startswith(("sha256:", "md5:", "sha1:")):
        algorithm, _, digest = lowered.partition(":")
        if _HEX.match(digest):
            tokens.add(f"{algorithm}:{digest}")
        return tokens
    if len(lowered) in _HASH_BY_LENGTH and _HEX.match(lowered):
        tokens.add(f"{_HASH_BY_LENGTH[len(lowered)]}:{lowered}")
        return tokens
    phone = normalise_phone(text)
    if _CN_MOBILE.match(phone):
        tokens.add(f"v:{phone}")
        tokens |= _digests(phone)
        return tokens
    id_number = normalise_id_number(text)
    if _CN_ID.match(id_number):
        tokens.add(f"v:{id_number.casefold()}")
        tokens |= _digests(id_number)
    return tokens


def storable(value: str) -> str:
    """A key value safe to write into case.db: sensitive numbers become ``sha256:...``."""
    if _CN_MOBILE.match(normalise_phone(value)):
        return f"sha256:{sha256_token(normalise_phone(value))}"
    if _CN_ID.match(normalise_id_number(value)):
        return f"sha256:{sha256_token(normalise_id_number(value))}"
    return value
