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


def sender_id(channel: str, user_id: str | int, key: bytes) -> str:
    """The pseudonymous sender id Rasa stores: 64 hex characters.

    ``key`` is ``Settings.hmac_secret`` (``WAYPOINT_HMAC_SECRET``): the settings refuse
    a short one, and a channel without one does not start."""
    if not key:
        raise ValueError("sender ids need the HMAC key (WAYPOINT_HMAC_SECRET)")
    message = f"{channel}:{user_id}".encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()
