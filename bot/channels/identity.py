"""Who is writing, without knowing who they are.

Rasa sees ``HMAC-SHA256(WAYPOINT_HMAC_SECRET, channel + ":" + user id)`` and
never the phone number or Telegram id itself, so trackers, logs and the
database hold nothing that identifies a person to anyone without the secret.
The same person on the same channel always gets the same id, which is what a
conversation, a rate limit and an opt-out need.
"""

from __future__ import annotations

import hashlib
import hmac
import os

SECRET_VARIABLE = "WAYPOINT_HMAC_SECRET"
MIN_SECRET_LENGTH = 16


class MissingSecret(RuntimeError):
    """The channel cannot pseudonymise senders, so it must not start."""


def secret() -> bytes:
    """The HMAC key from the environment; too short or absent is refused."""
    value = os.environ.get(SECRET_VARIABLE, "")
    if len(value) < MIN_SECRET_LENGTH:
        raise MissingSecret(f"set {SECRET_VARIABLE} to a random string of at least "
                            f"{MIN_SECRET_LENGTH} characters (e.g. `openssl rand -hex 32`)")
    return value.encode("utf-8")


def sender_id(channel: str, user_id: str | int, key: bytes | None = None) -> str:
    """The pseudonymous sender id Rasa stores: 64 hex characters."""
    message = f"{channel}:{user_id}".encode("utf-8")
    return hmac.new(key if key is not None else secret(), message, hashlib.sha256).hexdigest()
