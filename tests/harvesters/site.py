"""A small local web site for page-harvester tests: routes in a dict, every request recorded."""
from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

Route = tuple[int, dict[str, str], bytes] | Callable[["_Handler"], tuple[int, dict[str, str], bytes]]


@dataclass
class Site:
    """Serve ``routes`` (path -> (status, headers, body) or a function of the request) on 127.0.0.1."""

    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[dict] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def page(self, path: str, html: str, *, headers: dict[str, str] | None = None, status: int = 200) -> str:
        self.routes[path] = (status, {"Content-Type": "text/html; charset=utf-8", **(headers or {})},
                             html.encode("utf-8"))
        return self.url(path)


class _Handler(BaseHTTPRequestHandler):
    site: Site

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def _answer(self, with_body: bool) -> None:
        path = self.path.split("?", 1)[0]
        self.site.requests.append({"method": self.command, "path": path, "headers": dict(self.headers),
                                   "time": time.monotonic()})
        route = self.site.routes.get(path)
        if route is None:
            status, headers, body = 404, {"Content-Type": "text/plain"}, b"not found"
        elif callable(route):
            status, headers, body = route(self)
        else:
            status, headers, body = route
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body and body:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer(True)

    def do_HEAD(self) -> None:
        self._answer(False)


def start_site() -> Site:
    site = Site()
    handler = type("Handler", (_Handler,), {"site": site})
    site.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    site.server.daemon_threads = True
    threading.Thread(target=site.server.serve_forever, daemon=True).start()
    return site


def stop_site(site: Site) -> None:
    site.server.shutdown()
    site.server.server_close()


@pytest.fixture
def site():
    """A local web site on 127.0.0.1 (page tests allow private addresses per test, in their options)."""
    from harvesters.pagefetch import reset_politeness

    reset_politeness()
    served = start_site()
    yield served
    stop_site(served)
    reset_politeness()
