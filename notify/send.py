"""Delivery through apprise — the only module that imports it.

Subscriber addresses are apprise URLs (``mailtos://…``, ``matrixs://…``). They are checked
when added (``check_url``), shown masked (``masked``), and used with apprise's in-memory
storage so no stale Matrix token survives between sends. I/O problems never raise: ``send``
returns a ``SendResult`` whose ``error`` is already free of secrets.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import apprise
from apprise.common import PersistentStoreMode

log = logging.getLogger(__name__)
# apprise logs its own debugging details, login payloads included: never below WARNING.
logging.getLogger("apprise").setLevel(logging.WARNING)


@dataclass(frozen=True)
class SendResult:
    ok: bool
    error: str = ""


def _asset() -> apprise.AppriseAsset:
    return apprise.AppriseAsset(
        storage_mode=PersistentStoreMode.MEMORY, app_id="veilleur", app_desc="veilleur", app_url=""
    )


def check_url(url: str) -> str | None:
    """Why apprise cannot use ``url``, or None when it can."""
    if not isinstance(url, str) or "://" not in url:
        return "not an apprise URL (expected e.g. mailtos://… or matrixs://…)"
    plugin = apprise.Apprise.instantiate(url, asset=_asset(), suppress_exceptions=True)
    if plugin is None:
        scheme = url.split("://", 1)[0]
        return f"apprise cannot load this {scheme}:// URL (check its form, host, port and from=)"
    return None


def masked(url: str) -> str:
    """The URL as apprise prints it with privacy on (passwords and tokens hidden)."""
    plugin = apprise.Apprise.instantiate(url, asset=_asset(), suppress_exceptions=True)
    if plugin is None:
        return url.split("://", 1)[0] + "://****"
    return plugin.url(privacy=True)


def is_email(url: str) -> bool:
    return url.split("://", 1)[0].lower() in ("mailto", "mailtos")


def send(
    url: str,
    title: str,
    body: str,
    *,
    html: bool = False,
    headers: dict[str, str] | None = None,
    timeout: float = 60,
) -> SendResult:
    """Send one message; ``headers`` are added to emails (List-Unsubscribe, …)."""
    target = url
    if headers and is_email(url):
        extra = "&".join(
            f"+{apprise.utils.parse.quote(k, safe='')}={apprise.utils.parse.quote(v, safe='')}"
            for k, v in headers.items()
        )
        target = f"{url}{'&' if '?' in url else '?'}{extra}"
    client = apprise.Apprise(asset=_asset())
    if not client.add(target):
        return SendResult(False, f"apprise cannot load {masked(url)}")
    captured: list[str] = []

    def keep(entry, _plugin=None) -> None:
        level = getattr(entry, "level", "WARNING")
        if str(level).upper() in ("WARNING", "ERROR", "CRITICAL"):
            captured.append(str(getattr(entry, "message", entry)))

    try:
        result = client.notify(
            body=body,
            title=title,
            body_format=apprise.NotifyFormat.HTML if html else apprise.NotifyFormat.TEXT,
            timeout=timeout,
            log_callback=keep,
            log_level=logging.WARNING,
        )
    except TypeError:  # an apprise without log callbacks
        result = client.notify(
            body=body,
            title=title,
            body_format=apprise.NotifyFormat.HTML if html else apprise.NotifyFormat.TEXT,
        )
    except Exception as exc:  # apprise promises not to raise; be sure
        return SendResult(False, f"{type(exc).__name__} while sending to {masked(url)}")
    if bool(result):
        return SendResult(True)
    reason = "; ".join(dict.fromkeys(captured))[:500] or "the service refused the message"
    return SendResult(False, f"{masked(url)}: {_scrub(reason, url)}")


def _scrub(text: str, url: str) -> str:
    """Remove any fragment of ``url``'s credentials from an error text."""
    netloc = urlsplit(url).netloc
    userinfo = netloc.rsplit("@", 1)[0] if "@" in netloc else ""
    for part in userinfo.split(":")[1:]:
        if len(part) >= 3:
            text = text.replace(part, "****").replace(unquote(part), "****")
    return text


def send_ops(url: str, title: str, body: str) -> bool:
    """An operator alert (a source or a subscription failing); False if it could not go."""
    if not url:
        log.warning("ops alert (no ops_url configured): %s — %s", title, body)
        return False
    result = send(url, title, body)
    if not result.ok:
        log.error("ops alert could not be sent: %s", result.error)
    return result.ok
