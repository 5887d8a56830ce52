"""A local HTTP server replaying recorded responses, for spider tests (127.0.0.1 only).

    server = replay  # the fixture
    server.add("/OPENDATA/JORF/", listing_bytes, content_type="text/html", etag='"v1"')
    server.add("/x", body, statuses=[429, 200], headers={"Retry-After": "1"})
    server.url("/OPENDATA/JORF/")  → "http://127.0.0.1:PORT/OPENDATA/JORF/"
    server.log  → [(method, path, headers dict, status), …]

A route with an ``etag`` or ``last_modified`` answers 304 to a matching conditional request.
``statuses`` is consumed one per request (the last one repeats).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Route:
    body: bytes
    content_type: str = "application/octet-stream"
    etag: str = ""
    last_modified: str = ""
    statuses: list[int] = field(default_factory=lambda: [200])
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (a slow server)


class ReplayServer:
    """Serves ``routes``; unknown paths answer 404 (including /robots.txt)."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.log: list[tuple[str, str, dict[str, str], int]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.answer(self)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                server.answer(self)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def add(self, path: str, body: bytes | str, **options) -> Route:
        """Serve ``body`` at ``path`` (replacing any earlier route)."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        route = Route(data, **options)
        self.routes[path] = route
        return route

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}{path}"

    def requests_to(self, path: str) -> list[tuple[str, str, dict[str, str], int]]:
        return [entry for entry in self.log if entry[1] == path]

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        route = self.routes.get(path)
        headers = dict(handler.headers.items())
        if route is None:
            status, body, extra = 404, b"not found", {}
        else:
            status = route.statuses[0]
            if len(route.statuses) > 1:
                route.statuses.pop(0)
            body, extra = route.body, dict(route.headers)
            if route.etag:
                extra["ETag"] = route.etag
            if route.last_modified:
                extra["Last-Modified"] = route.last_modified
            if status == 200 and (
                (route.etag and handler.headers.get("If-None-Match") == route.etag)
                or (
                    route.last_modified
                    and handler.headers.get("If-Modified-Since") == route.last_modified
                )
            ):
                status, body = 304, b""
        self.log.append((handler.command, path, headers, status))
        if route is not None and route.delay:
            time.sleep(route.delay)
        handler.send_response(status)
        handler.send_header("Content-Type", route.content_type if route else "text/plain")
        handler.send_header("Content-Length", str(len(body)))
        for key, value in extra.items():
            handler.send_header(key, value)
        handler.end_headers()
        if handler.command != "HEAD" and status != 304:
            handler.wfile.write(body)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def replay():
    server = ReplayServer()
    yield server
    server.close()
