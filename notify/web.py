"""``veilleur serve``: the static timeline site plus subscription endpoints (WSGI, stdlib).

- ``GET /subscribe`` a form; ``POST /subscribe`` records an unconfirmed subscriber and sends a
  confirmation link (double opt-in: nothing else is sent before it is confirmed).
- ``GET /confirm?token=…`` shows a button; ``POST`` confirms. Tokens are signed, expire after
  48 h and work once.
- ``GET /unsubscribe?token=…`` only shows a button (link scanners follow GET links);
  ``POST`` unsubscribes, without cookies, as RFC 8058 one-click unsubscription requires.
- Anything else is a file of the site directory; paths never leave it.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from sqlalchemy import Engine

from notify import send as sender
from notify.render import environment
from notify.subscribe import CONFIRM_SECONDS, BadToken, make_token, read_token
from store import repo
from store.db import session_scope
from store.models import utcnow

MAX_FORM = 16 * 1024
SECURITY_HEADERS = [
    (
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        "img-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
]
EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$")
ROOM = re.compile(r"^[#!][A-Za-z0-9._=\-]+(:[A-Za-z0-9.\-]+(:\d+)?)?$")


@dataclass(frozen=True)
class WebSettings:
    site_dir: Path
    public_url: str
    secret: str
    email_sender_url: str
    matrix_sender_url: str
    watches: dict[str, str]  # slug → title
    dossiers: dict[str, str]


def subscriber_url(settings: WebSettings, address: str) -> str | None:
    """The apprise URL for an email address or a Matrix room typed in the form."""
    address = address.strip()
    if EMAIL.match(address) and settings.email_sender_url:
        joiner = "&" if "?" in settings.email_sender_url else "?"
        return f"{settings.email_sender_url}{joiner}to={quote(address, safe='@')}"
    if ROOM.match(address) and settings.matrix_sender_url:
        base, _, query = settings.matrix_sender_url.partition("?")
        return f"{base.rstrip('/')}/{quote(address, safe='')}" + (f"?{query}" if query else "")
    return None


class App:
    """The WSGI application."""

    def __init__(
        self,
        engine: Engine,
        settings: WebSettings,
        send: Callable[..., sender.SendResult] = sender.send,
    ):
        self.engine, self.settings, self.send = engine, settings, send
        self.site = settings.site_dir.resolve()

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        method = environ.get("REQUEST_METHOD", "GET")
        query = parse_qs(environ.get("QUERY_STRING", ""))
        token = (query.get("token") or [""])[0]
        try:
            if path == "/subscribe":
                status, body = (
                    self.subscribe(environ)
                    if method == "POST"
                    else self.page("Recevoir les alertes", form=True)
                )
            elif path == "/confirm":
                status, body = self.confirm(token, method == "POST")
            elif path == "/unsubscribe":
                status, body = self.unsubscribe(token, method == "POST")
            elif method in ("GET", "HEAD"):
                return self.static(path, start_response)
            else:
                status, body = "405 Method Not Allowed", self.page("Méthode refusée")[1]
        except BadToken as exc:
            status, body = "400 Bad Request", self.page("Lien refusé", message=str(exc))[1]
        data = body.encode("utf-8")
        start_response(
            status,
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(data))),
                *SECURITY_HEADERS,
            ],
        )
        return [data]

    def page(
        self, title: str, message: str = "", form: bool = False, action: str = "", button: str = ""
    ) -> tuple[str, str]:
        template = environment().get_template("subscribe.html")
        return "200 OK", template.render(
            title=title,
            message=message,
            form=form,
            action=action,
            button=button,
            watches=self.settings.watches,
            dossiers=self.settings.dossiers,
        )

    def subscribe(self, environ: dict[str, Any]) -> tuple[str, str]:
        length = min(int(environ.get("CONTENT_LENGTH") or 0), MAX_FORM)
        fields = parse_qs(environ["wsgi.input"].read(length).decode("utf-8", "replace"))
        address = (fields.get("address") or [""])[0]
        cadence = (fields.get("cadence") or ["daily"])[0]
        watches = [w for w in fields.get("watch", []) if w in self.settings.watches]
        dossiers = [d for d in fields.get("dossier", []) if d in self.settings.dossiers]
        url = subscriber_url(self.settings, address)
        if (
            url is None
            or cadence not in ("instant", "daily", "weekly")
            or not (watches or dossiers)
        ):
            return "400 Bad Request", self.page(
                "Inscription impossible",
                form=True,
                message="Donnez une adresse électronique ou un salon Matrix valide, et "
                "choisissez au moins un dossier ou une veille.",
            )[1]
        with session_scope(self.engine) as session:
            subscription = repo.add_subscription(
                session,
                url,
                sender.masked(url),
                cadence=cadence,
                watches=watches,
                dossiers=dossiers,
                origin="web",
                confirmed=False,
            )
            subscriber_id = subscription.subscriber_id
        token = make_token(self.settings.secret, "confirm", subscriber_id, CONFIRM_SECONDS)
        link = f"{self.settings.public_url.rstrip('/')}/confirm?token={token}"
        self.send(
            url,
            "Veilleur — confirmez votre inscription",
            f"Pour recevoir les alertes de veilleur, confirmez ici : {link}\n"
            "Sans confirmation, rien ne vous sera envoyé.",
        )
        return "200 OK", self.page(
            "Vérifiez votre messagerie",
            message=(
                "Un lien de confirmation vient de vous être envoyé. Rien ne vous sera envoyé "
                "avant que vous l'ayez suivi."
            ),
        )[1]

    def confirm(self, token: str, act: bool) -> tuple[str, str]:
        subscriber_id = read_token(self.settings.secret, "confirm", token)
        if not act:
            return self.page(
                "Confirmer l'inscription", action=f"/confirm?token={token}", button="Confirmer"
            )
        with session_scope(self.engine) as session:
            done = repo.confirm_subscriber(session, subscriber_id, utcnow())
        if not done:
            raise BadToken("this link has already been used")
        return self.page("Inscription confirmée", message="Vous recevrez les prochaines alertes.")

    def unsubscribe(self, token: str, act: bool) -> tuple[str, str]:
        subscriber_id = read_token(self.settings.secret, "unsubscribe", token)
        if not act:
            return self.page(
                "Se désabonner", action=f"/unsubscribe?token={token}", button="Me désabonner"
            )
        with session_scope(self.engine) as session:
            repo.end_subscriber(session, subscriber_id, utcnow())
        return self.page("Désabonnement effectué", message="Plus rien ne vous sera envoyé.")

    def static(self, path: str, start_response: Callable) -> Iterable[bytes]:
        relative = path.lstrip("/") or "index.html"
        target = (self.site / relative).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_relative_to(self.site) or not target.is_file():
            data = b"<!DOCTYPE html><title>404</title><p>Page introuvable.</p>"
            start_response(
                "404 Not Found",
                [
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Content-Length", str(len(data))),
                    *SECURITY_HEADERS,
                ],
            )
            return [data]
        data = target.read_bytes()
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/json", "application/xml"):
            kind += "; charset=utf-8"
        start_response(
            "200 OK",
            [("Content-Type", kind), ("Content-Length", str(len(data))), *SECURITY_HEADERS],
        )
        return [data]
