"""Signed, expiring, purpose-bound tokens for confirmation and unsubscribe links (pure).

A token is ``<purpose>.<subscriber id>.<expiry>.<hmac>``; it proves the link was made by
this installation for that subscriber and that purpose. Single use is enforced by the state
it changes: a confirmation token no longer works once the subscriber is confirmed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

CONFIRM_SECONDS = 48 * 3600
UNSUBSCRIBE_SECONDS = 400 * 24 * 3600


class BadToken(ValueError):
    """A token that is forged, for another purpose, or expired."""


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def _mac(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()[:32]


def make_token(
    secret: str, purpose: str, subscriber_id: int, ttl: int, now: float | None = None
) -> str:
    """A token for ``purpose`` (confirm, unsubscribe) valid ``ttl`` seconds."""
    expiry = int((now if now is not None else time.time()) + ttl)
    payload = f"{purpose}.{subscriber_id}.{expiry}"
    return f"{payload}.{_mac(secret, payload)}"


def read_token(secret: str, purpose: str, token: str, now: float | None = None) -> int:
    """The subscriber id a valid token names; ``BadToken`` otherwise."""
    try:
        kind, ident, expiry, mac = token.split(".")
        subscriber_id, deadline = int(ident), int(expiry)
    except (ValueError, AttributeError):
        raise BadToken("malformed link") from None
    if not hmac.compare_digest(mac, _mac(secret, f"{kind}.{ident}.{expiry}")):
        raise BadToken("this link was not made here")
    if kind != purpose:
        raise BadToken("this link is for something else")
    if deadline < (now if now is not None else time.time()):
        raise BadToken("this link has expired")
    return subscriber_id
