"""Logging set-up with secrets masked in every record, whatever logger emitted it."""

from __future__ import annotations

import logging
import re

_PATTERNS = (
    # user:password@ in any URL (apprise, database, SMTP)
    (re.compile(r"(?P<head>[a-z][a-z0-9+.\-]*://[^\s/:@]*):[^\s@/]+@", re.I), r"\g<head>:****@"),
    # access_token=…, client_secret=…, password=… in query strings, forms and JSON
    (
        re.compile(
            r"(?P<head>(access_token|client_secret|password|passwd|token|secret)"
            r"[\"']?\s*[=:]\s*[\"']?)[^\s&\"',}]+",
            re.I,
        ),
        r"\g<head>****",
    ),
    # Authorization: Bearer …
    (re.compile(r"(?P<head>Bearer\s+)[A-Za-z0-9._~+/=\-]+"), r"\g<head>****"),
)


def mask(text: str) -> str:
    """``text`` with passwords, tokens and secrets replaced by ``****``."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class MaskingFilter(logging.Filter):
    """Rewrites each record's message with secrets masked (arguments are merged first)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = str(record.msg)
        record.msg, record.args = mask(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = mask(record.exc_text)
        return True


class QuietLibraries(logging.Filter):
    """Below DEBUG level, Scrapy and Twisted speak only of problems, in one line each.

    Veilleur reports every failed source itself; their tracebacks and per-request lines
    would bury that report.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(("scrapy", "twisted", "py.warnings")):
            return True
        if record.levelno < logging.WARNING:
            return False
        record.exc_info, record.exc_text = None, None
        return True


def setup(level: str = "INFO") -> None:
    """Log to stderr at ``level``, every handler masking secrets."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    if level.upper() != "DEBUG":
        handler.addFilter(QuietLibraries())
    handler.addFilter(MaskingFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for noisy in ("alembic.runtime.migration", "scrapy.core.engine", "twisted"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
