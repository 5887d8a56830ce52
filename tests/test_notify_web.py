"""Double opt-in, one-click unsubscribe and the static site through ``veilleur serve``'s app."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from notifyhelp import prepared

from notify.subscribe import BadToken, make_token, read_token
from notify.web import App, WebSettings
from store import repo
from store.db import session_scope


class Client:
    def __init__(self, app):
        self.app = app

    def request(self, method: str, path: str, body: str = "") -> tuple[str, dict, str]:
        path, _, query = path.partition("?")
        data = body.encode()
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "CONTENT_LENGTH": str(len(data)),
            "wsgi.input": io.BytesIO(data),
        }
        seen = {}

        def start(status, headers):
            seen["status"], seen["headers"] = status, dict(headers)

        out = b"".join(self.app(environ, start))
        return seen["status"], seen["headers"], out.decode("utf-8", "replace")


@pytest.fixture
def web(make_config, sqlite_url, tmp_path):
    config = make_config()
    engine = prepared(config, sqlite_url)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<h1>Chronologie</h1>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("outside", encoding="utf-8")
    sent = []
    settings = WebSettings(
        site,
        "https://veille.example.org",
        "s" * 32,
        "mailtos://bot:pw@smtp.example.org?from=veille@example.org",
        "matrixs://bot:pw@matrix.example.org",
        {"vsa": "VSA"},
        {"vsa": "Dossier VSA"},
    )
    app = App(engine, settings, send=lambda url, title, body, **kw: sent.append((url, body)))
    return Client(app), engine, sent


def test_subscribe_confirm_and_unsubscribe(web):
    client, engine, sent = web
    status, headers, page = client.request(
        "POST",
        "/subscribe",
        urlencode({"address": "lecteur@example.org", "dossier": "vsa", "cadence": "weekly"}),
    )
    assert status == "200 OK" and "Vérifiez votre messagerie" in page
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    ((url, body),) = sent
    assert url.endswith("&to=lecteur@example.org")
    link = body.split("confirmez ici : ")[1].split()[0]
    token = link.split("token=")[1]
    with session_scope(engine) as session:
        assert repo.subscriptions(session) == []  # nothing before confirmation
    # a GET (a link scanner) confirms nothing
    status, _, page = client.request("GET", f"/confirm?token={token}")
    assert "Confirmer" in page and 'method="post"' in page
    with session_scope(engine) as session:
        assert repo.subscriptions(session) == []
    status, _, page = client.request("POST", f"/confirm?token={token}")
    assert "Inscription confirmée" in page
    with session_scope(engine) as session:
        ((subscription, subscriber),) = repo.subscriptions(session)
        assert subscription.cadence == "weekly" and subscription.dossiers == ["vsa"]
        assert "pw@" not in subscriber.url_masked
    # replayed confirmation link: refused
    status, _, page = client.request("POST", f"/confirm?token={token}")
    assert status == "400 Bad Request" and "already been used" in page
    unsubscribe = make_token("s" * 32, "unsubscribe", subscriber.id, 3600)
    status, _, page = client.request("GET", f"/unsubscribe?token={unsubscribe}")
    with session_scope(engine) as session:
        assert len(repo.subscriptions(session)) == 1  # GET only shows the button
    status, _, page = client.request(
        "POST", f"/unsubscribe?token={unsubscribe}", "List-Unsubscribe=One-Click"
    )
    assert status == "200 OK" and "Désabonnement effectué" in page
    with session_scope(engine) as session:
        assert repo.subscriptions(session) == []


def test_bad_forms_and_forged_or_expired_links_are_refused(web):
    client, _, sent = web
    status, _, page = client.request(
        "POST", "/subscribe", urlencode({"address": "x@y", "dossier": "vsa"})
    )
    assert status == "400 Bad Request" and not sent
    status, _, page = client.request(
        "POST", "/subscribe", urlencode({"address": "<script>@example.org", "watch": "vsa"})
    )
    assert status == "400 Bad Request" and "<script>@" not in page
    expired = make_token("s" * 32, "confirm", 1, 10, now=0)
    assert client.request("POST", f"/confirm?token={expired}")[0] == "400 Bad Request"
    forged = make_token("other" * 8, "unsubscribe", 1, 3600)
    assert client.request("POST", f"/unsubscribe?token={forged}")[0] == "400 Bad Request"
    wrong = make_token("s" * 32, "unsubscribe", 1, 3600)
    assert "something else" in client.request("POST", f"/confirm?token={wrong}")[2]


def test_static_files_never_leave_the_site(web):
    client, _, _ = web
    assert "Chronologie" in client.request("GET", "/")[2]
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt"):
        status, _, page = client.request("GET", path)
        assert status == "404 Not Found" and "outside" not in page


def test_tokens():
    now = datetime(2026, 11, 24, tzinfo=UTC).timestamp()
    token = make_token("k", "confirm", 7, 60, now=now)
    assert read_token("k", "confirm", token, now=now + 59) == 7
    with pytest.raises(BadToken, match="expired"):
        read_token("k", "confirm", token, now=now + timedelta(minutes=2).total_seconds())
    with pytest.raises(BadToken, match="not made here"):
        read_token("k", "confirm", token.replace(".7.", ".8."), now=now)
    with pytest.raises(BadToken, match="malformed"):
        read_token("k", "confirm", "nonsense", now=now)
