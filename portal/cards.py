"""Bank card numbers sealed at rest: AES-256-GCM under a named key, so keys can rotate.

A sealed value is `<key id>:<base64 of nonce + ciphertext + tag>`. The key id says which
key opens it; `CARD_KEYS` lists every key still needed, the first being the one new
values are sealed with. The row's identity is the associated data, so a sealed card
copied onto another application does not open there.

Pure: the standard library and `cryptography` only (the migration and the CLI use it too).
"""

import base64
import hashlib
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
# Development and tests only; production must set CARD_KEYS (portal.config).
DEV_CARD_KEYS = "dev=" + base64.b64encode(hashlib.sha256(b"dev-only-card-key").digest()).decode()


class CardKeyError(ValueError):
    """CARD_KEYS is malformed, or a sealed value names a key that is not configured."""


@dataclass(frozen=True)
class CardKeys:
    """The configured keys by id; `current` seals new values."""

    current: str
    keys: dict[str, bytes]

    @classmethod
    def parse(cls, text: str) -> "CardKeys":
        """Read `id=base64key,id2=base64key` (32-byte keys; the first is current)."""
        keys: dict[str, bytes] = {}
        for item in filter(None, (part.strip() for part in text.split(","))):
            key_id, _, encoded = item.partition("=")
            try:
                key = base64.b64decode(encoded, validate=True)
            except ValueError:
                key = b""
            if not key_id.isalnum() or len(key_id) > 16 or len(key) != 32:
                raise CardKeyError(
                    "CARD_KEYS: each entry is id=base64 of 32 bytes, the id letters and digits"
                )
            keys[key_id] = key
        if not keys:
            raise CardKeyError("CARD_KEYS names no key")
        return cls(current=next(iter(keys)), keys=keys)


def new_key() -> str:
    """A fresh key, base64, for an operator to add to CARD_KEYS."""
    return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()


def seal(keys: CardKeys, card: str, *, row_id: int, table: str = "subsidy_application") -> str:
    """The card number (or other sensitive text) under the current key, bound to its row."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(keys.keys[keys.current]).encrypt(nonce, card.encode(), _context(row_id, table))
    return f"{keys.current}:{base64.b64encode(nonce + sealed).decode()}"


def unseal(keys: CardKeys, value: str, *, row_id: int, table: str = "subsidy_application") -> str:
    """The card number of a sealed value (CardKeyError if its key is gone or it was altered)."""
    key_id, _, encoded = value.partition(":")
    if key_id not in keys.keys:
        raise CardKeyError(f"card key {key_id!r} is not in CARD_KEYS")
    raw = base64.b64decode(encoded)
    try:
        plain = AESGCM(keys.keys[key_id]).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], _context(row_id, table)
        )
    except InvalidTag as error:
        raise CardKeyError(f"sealed card of row {row_id} does not open") from error
    return plain.decode()


def key_id_of(value: str) -> str:
    """The id of the key a value is sealed with."""
    return value.partition(":")[0]


def _context(row_id: int, table: str) -> bytes:
    return f"{table}:{row_id}".encode()
