"""Sealing the one raw id Waypoint keeps: how to reach a linked provider's chat or phone.

Clients are known only by a keyed hash. A provider who links a chat or number asks to
be reminded there ("reply OK if still correct"), and a reminder needs the real chat id
or number, so it is kept sealed (AES-GCM) with a key derived from the HMAC secret,
which lives only in the environment: a copy of the database alone reveals nothing.
It is deleted with the link ("forget me", revoking the account).
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_INFO = b"waypoint contact v1"


class UnreadableContact(ValueError):
    """Sealed with another key, or damaged."""


def _key(secret: bytes) -> bytes:
    if not secret:
        raise ValueError("sealing a contact needs the HMAC secret (WAYPOINT_HMAC_SECRET)")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret)


def seal(secret: bytes, contact: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_key(secret)).encrypt(nonce, contact.encode("utf-8"), _INFO)
    return base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unseal(secret: bytes, token: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii"))
        return AESGCM(_key(secret)).decrypt(raw[:12], raw[12:], _INFO).decode("utf-8")
    except (InvalidTag, ValueError, UnicodeError) as exc:
        raise UnreadableContact("this contact was sealed with another key") from exc
