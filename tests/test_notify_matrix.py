"""A digest posted to a room of the real Synapse homeserver, read back as another user."""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.request
import uuid

import pytest
from conftest import need_env
from notifyhelp import add_vsa_event, prepared, subscribe

from scheduler.jobs import send_digests


def call(base: str, path: str, body: dict | None = None, token: str = "", method: str = ""):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        base + path,
        data=data,
        method=method or ("POST" if data is not None else "GET"),
        headers={"Content-Type": "application/json"},
    )
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=20) as response:
        return json.loads(response.read())


def register(base: str, secret: str, user: str, password: str) -> str:
    nonce = call(base, "/_synapse/admin/v1/register")["nonce"]
    mac = hmac.new(
        secret.encode(),
        b"\x00".join([nonce.encode(), user.encode(), password.encode(), b"notadmin"]),
        hashlib.sha1,
    )
    return call(
        base,
        "/_synapse/admin/v1/register",
        {
            "nonce": nonce,
            "username": user,
            "password": password,
            "admin": False,
            "mac": mac.hexdigest(),
        },
    )["access_token"]


@pytest.fixture
def matrix():
    return need_env("VEILLEUR_TEST_MATRIX_URL"), need_env("VEILLEUR_TEST_MATRIX_SECRET")


def test_a_digest_reaches_a_matrix_room_as_inert_text(matrix, make_config, sqlite_url):
    base, secret = matrix
    tag = uuid.uuid4().hex[:8]
    register(base, secret, f"bot{tag}", "botpassword")
    reader = register(base, secret, f"reader{tag}", "readerpassword")
    alias = f"veille{tag}"
    room = call(
        base,
        "/_matrix/client/v3/createRoom",
        {"room_alias_name": alias, "preset": "public_chat"},
        reader,
    )["room_id"]
    config = make_config()
    engine = prepared(config, sqlite_url)
    host = base.removeprefix("http://")
    subscribe(engine, f"matrix://bot{tag}:botpassword@{host}/%23{alias}?msgtype=notice")
    add_vsa_event(engine, "Arrêté <script>alert(1)</script> caméras augmentées")
    report = send_digests(config, engine, "daily")
    assert (report.sent, report.failed) == (1, 0), report.errors
    messages = call(base, f"/_matrix/client/v3/rooms/{room}/messages?dir=b&limit=10", token=reader)[
        "chunk"
    ]
    bodies = [m["content"].get("body", "") for m in messages if m["type"] == "m.room.message"]
    (body,) = [b for b in bodies if "caméras augmentées" in b]
    assert "<script>alert(1)</script>" in body  # plain text: shown, never interpreted
    assert all(
        m["content"].get("format") is None for m in messages if m["type"] == "m.room.message"
    )
    assert "Vidéosurveillance algorithmique" in body
