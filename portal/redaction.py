"""Masking personal data in text the portal writes for people other than its owner.

Logs, audit details, job failures and the refused-rows report must never carry a
resident ID number, a bank card number, a password hash or a secret token
(DOMAIN §6, docs/security.md). The values are kept out at the source (hashed, sealed,
hidden statement parameters); this is the net under that: any text on its way to a log
or a report passes through `redact`, which masks whatever still looks like one.

Pure: the standard library and `portal.identifiers` only.
"""

import re
from typing import Any

from portal.identifiers import mask_resident_id

# 18 characters, 17 digits and a digit or X; not part of a longer run of digits.
RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
# 16 to 19 digits, in groups of any size separated by a space or a dash.
CARD = re.compile(r"(?<![0-9])\d(?:[ -]?\d){15,18}(?![0-9])")
PASSWORD_HASH = re.compile(r"\$(?:argon2(?:id|i|d)|2[aby]|scrypt|pbkdf2[-\w]*)\$[^\s'\",)]+")
TOKEN = re.compile(r"\bpt_[A-Za-z0-9_-]{8,}")  # the API's bearer secrets (accounts/tokens.py)
# A password reset link (accounts/recovery.py) in a request log opens the account.
RESET_LINK = re.compile(r"(/password/reset/)[^\s\"'?]+")
HIDDEN = "[hidden]"


def redact(text: str) -> str:
    """text with ID numbers and cards masked and hashes and tokens replaced."""
    if "/password/reset/" in text:
        text = RESET_LINK.sub(r"\1" + HIDDEN, text)
    if not any(char.isdigit() for char in text) and "$" not in text and "pt_" not in text:
        return text  # the common case, cheaply
    text = RESIDENT_ID.sub(lambda match: mask_resident_id(match.group()), text)
    text = CARD.sub(_mask_card, text)
    text = PASSWORD_HASH.sub(HIDDEN, text)
    return TOKEN.sub("pt_" + HIDDEN, text)


def redact_value(value: Any) -> Any:
    """A JSON-like value (dict, list, text) with every string in it redacted."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: redact_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(item) for item in value]
    return value


def _mask_card(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match.group())
    return f"{digits[:4]} **** **** {digits[-4:]}"
