"""Secrets never reach a log line, whatever logger emits them."""

from __future__ import annotations

import logging

import pytest

from scheduler import logs


@pytest.mark.parametrize(
    ("raw", "secret"),
    [
        ("sending to mailtos://alerts:hunter2@smtp.example.org:587?to=a@example.org", "hunter2"),
        ("matrixs://bot:p%40ss@matrix.example.org/#room", "p%40ss"),
        (
            "POST token body grant_type=client_credentials&client_secret=abc123XYZ&scope=openid",
            "abc123XYZ",
        ),
        ('{"access_token": "eyJhbGciOi.payload.sig", "expires_in": 3600}', "eyJhbGciOi"),
        ("Authorization: Bearer eyJ0eXAi.abc.def", "eyJ0eXAi"),
        ("postgresql+psycopg://veilleur:s3cret@db:5432/veilleur", "s3cret"),
    ],
)
def test_mask(raw, secret):
    masked = logs.mask(raw)
    assert secret not in masked and "****" in masked


def test_the_filter_masks_arguments_and_tracebacks(capsys):
    logs.setup("DEBUG")
    log = logging.getLogger("some.library")
    log.debug("login with %s", "matrix://bot:topsecret@127.0.0.1:8008/#digest")
    try:
        raise RuntimeError("could not reach mailtos://me:topsecret@smtp.example.org")
    except RuntimeError:
        log.exception("send failed")
    err = capsys.readouterr().err
    assert "topsecret" not in err
    assert err.count("****") >= 3 and "RuntimeError" in err
