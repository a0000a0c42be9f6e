"""The one HTTP client of every lister: address checks, timeouts, a byte cap per page, a per-host
pause, rate-limit answers honoured, conditional requests, robots.txt for catalogue pages.

Every connection goes through netguard's checked transport (a catalogue URL typed by a person is
untrusted, and so is every redirect and every "next page" a catalogue sends). A token from the
configuration is sent only to the API it belongs to, and never appears in an error.
"""

from __future__ import annotations

import threading
import time
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from ..checkout import human_size
from ..netguard import DeadlineReached, RefusedAddress, guarded_client
from ..pagefetch import check_page_url
from ..record import HarvestError, UnsafeSource
from .base import Answer, ListerError, ListerSettings, Request

_REDIRECTS = (301, 302, 303, 307, 308)
_ROBOTS_AGENT = "AICommonsRegistry"
_MAX_ROBOTS_BYTES = 512 * 1024
_ROBOTS_TTL = 3600.0
_TRIES = 4

_lock = threading.Lock()
_next_request: dict[str, float] = {}
_robots: dict[str, tuple[float, Protego | None]] = {}


def reset_politeness() -> None:
    """Forget request times and robots.txt files (tests start clean)."""
    with _lock:
        _next_request.clear()
        _robots.clear()


class ListerClient:
    """One listing's HTTP client; use it as a context manager."""

    def __init__(self, settings: ListerSettings, *, sleep=time.sleep, deadline: float | None = None) -> None:
        self.settings = settings
        # With a deadline (a harvest's time limit), no connection outlives it.
        self.client = guarded_client(settings.options, deadline=deadline)
        self.requests = 0
        self.sleep = sleep
        #: Where the first page answered from after a permanent redirect (a renamed organisation).
        self.moved_to: str | None = None

    def __enter__(self) -> ListerClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def fetch(self, request: Request, *, etag: str | None = None, robots: bool = False) -> Answer:
        """Fetch a page, following checked redirects; retry what a rate limit asks us to wait for."""
        url = _checked(request.url)
        for _try in range(_TRIES):
            answer = self._follow(url, request, etag=etag, robots=robots)
            wait = _wait_asked(answer)
            if wait is None:
                return answer
            if wait > self.settings.max_wait:
                raise ListerError(
                    f"the catalogue asked us to wait {wait:.0f} seconds (rate limit); the run stops here and resumes later"
                )
            self.sleep(max(wait, 0.0))
        raise ListerError("the catalogue kept answering that we are over its rate limit")

    def _follow(self, url: str, request: Request, *, etag: str | None, robots: bool) -> Answer:
        method, body = request.method, request.body
        for _hop in range(self.settings.options.max_redirects + 1):
            if robots:
                self._check_robots(url)
            answer = self._once(url, method=method, body=body, accept=request.accept, etag=etag)
            if answer.status in _REDIRECTS and answer.headers.get("location"):
                target = _redirect_target(url, answer.headers["location"])
                if answer.status in (301, 308):
                    self.moved_to = target
                if answer.status == 303:
                    method, body = "GET", None
                url = target
                continue
            return answer
        raise ListerError(f"the catalogue redirects more than {self.settings.options.max_redirects} times")

    def _once(self, url: str, *, method: str, body: bytes | None, accept: str, etag: str | None) -> Answer:
        self._wait_turn(url)
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if body is not None:
            headers["Content-Type"] = "application/json"
        token = self.settings.token_for(url)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        limit = self.settings.max_page_bytes
        self.requests += 1
        try:
            with self.client.stream(method, url, headers=headers, content=body) as response:
                data = bytearray()
                if response.status_code == 200:
                    for chunk in response.iter_bytes():
                        data += chunk
                        if len(data) > limit:
                            raise ListerError(f"a page of the catalogue is larger than the {human_size(limit)} limit")
                found = {k.lower(): v for k, v in response.headers.items()}
                return Answer(url=url, status=response.status_code, headers=found, body=bytes(data))
        except httpx.HTTPError as exc:
            raise _plain(exc) from None
        except (httpx.InvalidURL, ValueError):
            raise UnsafeSource("the catalogue's address (or one it redirects to) is not valid") from None

    def _wait_turn(self, url: str) -> None:
        # One request at a time per host, spaced by the configured interval: an API is shared.
        host = (urlsplit(url).hostname or "").lower()
        interval = self.settings.host_interval
        if interval <= 0:
            return
        with _lock:
            now = time.monotonic()
            start = max(now, _next_request.get(host, 0.0))
            _next_request[host] = start + interval
        if start > now:
            self.sleep(start - now)

    def _check_robots(self, url: str) -> None:
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc.lower()}"
        with _lock:
            cached = _robots.get(key)
        if cached is None or cached[0] < time.monotonic():
            parser = self._load_robots(key)
            with _lock:
                _robots[key] = (time.monotonic() + _ROBOTS_TTL, parser)
        else:
            parser = cached[1]
        if parser is not None and not parser.can_fetch(url, _ROBOTS_AGENT):
            raise ListerError("the catalogue's robots.txt asks robots not to read its pages")

    def _load_robots(self, key: str) -> Protego | None:
        url = key + "/robots.txt"
        answer = None
        for _hop in range(self.settings.options.max_redirects + 1):
            answer = self._once(url, method="GET", body=None, accept="text/plain", etag=None)
            if answer.status in _REDIRECTS and answer.headers.get("location"):
                url = _redirect_target(url, answer.headers["location"])
                continue
            break
        assert answer is not None
        if answer.status in (401, 403):
            return Protego.parse("User-agent: *\nDisallow: /\n")
        if answer.status >= 500:
            raise ListerError(f"the catalogue's robots.txt could not be read (the server answered {answer.status})")
        if answer.status != 200:
            return None  # no robots.txt: every page may be read
        return Protego.parse(answer.body[:_MAX_ROBOTS_BYTES].decode("utf-8", errors="replace"))


def _checked(url: str) -> str:
    try:
        return check_page_url(url)
    except UnsafeSource:
        raise
    except ValueError:
        raise UnsafeSource("the catalogue's address is not valid") from None


def _redirect_target(url: str, location: str) -> str:
    try:
        target = urljoin(url, location)
    except ValueError:
        raise ListerError("the catalogue redirected to an address that is not valid") from None
    try:
        return check_page_url(target)
    except UnsafeSource as refused:
        raise UnsafeSource(f"the catalogue redirected to an address that is refused: {refused}") from None


def _seconds(value: str | None, *, now: float) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return parsedate_to_datetime(value).timestamp() - now
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _wait_asked(answer: Answer) -> float | None:
    """Return how long the answer asks us to wait before asking again, or None when it is not a rate limit."""
    now = time.time()
    if answer.status == 429 or (answer.status in (403, 503) and "retry-after" in answer.headers):
        wait = _seconds(answer.headers.get("retry-after"), now=now)
        if wait is None:
            wait = _reset_wait(answer, now)
        return 1.0 if wait is None else wait
    if answer.status == 403 and answer.headers.get("x-ratelimit-remaining") == "0":
        wait = _reset_wait(answer, now)
        return 1.0 if wait is None else wait
    return None


def _reset_wait(answer: Answer, now: float) -> float | None:
    reset = answer.headers.get("x-ratelimit-reset", "").strip()
    if not reset.isdigit():
        return None
    value = float(reset)
    # GitHub sends an epoch time, others seconds from now.
    return value - now if value > 1_000_000_000 else value


def _plain(exc: httpx.HTTPError) -> HarvestError:
    if isinstance(exc.__cause__, RefusedAddress):
        return UnsafeSource(str(exc.__cause__))
    if isinstance(exc.__cause__, DeadlineReached) or isinstance(exc, httpx.TimeoutException):
        return ListerError("the catalogue did not answer in time")
    if isinstance(exc, httpx.ConnectError):
        return ListerError("could not connect to the catalogue")
    return ListerError(f"the catalogue's page could not be fetched ({type(exc).__name__})")
