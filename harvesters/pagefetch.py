"""Fetch a web page as a good citizen: robots.txt, a pause between requests to one host, a clear
User-Agent, redirects checked one by one, time and size limits, conditional requests."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from .checkout import human_size
from .netguard import DeadlineReached, RefusedAddress, check_host_name, guarded_client
from .record import HarvestError, HarvestOptions, UnsafeSource

_REDIRECTS = (301, 302, 303, 307, 308)
_ROBOTS_TTL = 3600.0
_MAX_ROBOTS_BYTES = 512 * 1024
# A Crawl-delay above this is not honoured as such: the harvest would take hours.
_MAX_CRAWL_DELAY = 30.0
_ROBOTS_AGENT = "AICommonsRegistry"

_lock = threading.Lock()
_robots: dict[str, tuple[float, RobotFileParser | None]] = {}
_next_request: dict[str, float] = {}


@dataclass
class Page:
    """One answer: the final URL after redirects, its status, headers and (capped) body."""

    url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def validator(self) -> str | None:
        """Return the ETag (or else Last-Modified) as a version id, or None."""
        etag = self.headers.get("etag")
        if etag and len(etag) <= 290:
            return etag
        modified = self.headers.get("last-modified")
        return f"lm:{modified}" if modified and len(modified) <= 290 else None


def reset_politeness() -> None:
    """Forget cached robots.txt files and request times (tests start from a clean state)."""
    with _lock:
        _robots.clear()
        _next_request.clear()


def check_page_url(url: str) -> str:
    """Refuse what is not an http(s) URL with a host and without credentials."""
    url = url.strip()
    if any(ord(ch) < 32 or ord(ch) == 127 or ch.isspace() for ch in url):
        raise UnsafeSource("a URL cannot contain spaces or control characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise UnsafeSource(f"{url} is not a valid URL") from None
    if parts.scheme not in ("http", "https"):
        raise UnsafeSource(f"only http:// and https:// pages are read, not {parts.scheme or 'a path'}")
    if not parts.hostname:
        raise UnsafeSource(f"{url} names no host")
    if parts.username is not None or parts.password is not None:
        raise UnsafeSource("URLs with a user name or password are not allowed")
    check_host_name(parts.hostname)
    return url


class PageFetcher:
    """One harvest's HTTP client; close it (or use it as a context manager) when done."""

    def __init__(self, options: HarvestOptions) -> None:
        self.options = options
        self.deadline = time.monotonic() + options.timeout
        # Every connection ends by the deadline, even one whose server answers a byte at a time.
        self.client = guarded_client(options, deadline=self.deadline)

    def __enter__(self) -> PageFetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def fetch(self, url: str, *, method: str = "GET", validator: str | None = None, robots: bool = True) -> Page:
        """Fetch a URL, following at most ``max_redirects`` redirects, each checked again."""
        url = check_page_url(url)
        for _hop in range(self.options.max_redirects + 1):
            if robots:
                self._check_robots(url)
            page = self._request(url, method=method, validator=validator)
            if page.status in _REDIRECTS and page.headers.get("location"):
                url = _redirect_target(url, page.headers["location"])
                continue
            return page
        raise HarvestError(f"the page redirects more than {self.options.max_redirects} times")

    def _headers(self, validator: str | None) -> dict[str, str]:
        headers = {"Accept": "text/html,application/xhtml+xml,application/ld+json;q=0.9,*/*;q=0.5"}
        if validator and validator.startswith("lm:"):
            headers["If-Modified-Since"] = validator[3:]
        elif validator:
            headers["If-None-Match"] = validator
        return headers

    def _request(self, url: str, *, method: str, validator: str | None, limit: int | None = None) -> Page:
        self._wait_turn(url)
        limit = limit or self.options.max_file_bytes
        try:
            with self.client.stream(method, url, headers=self._headers(validator)) as response:
                body = bytearray()
                if method == "GET" and response.status_code == 200:
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) > limit:
                            raise HarvestError(f"the page is larger than the {human_size(limit)} limit")
                        if time.monotonic() > self.deadline:
                            raise HarvestError(f"reading the page took longer than {self.options.timeout:g} seconds")
                headers = {k.lower(): v for k, v in response.headers.items()}
                return Page(url=url, status=response.status_code, headers=headers, body=bytes(body))
        except httpx.HTTPError as exc:
            raise _plain(exc, timeout=self.options.timeout) from None
        except (httpx.InvalidURL, ValueError):
            # httpx refuses some addresses only when it builds the request (a malformed IDNA
            # label such as xn--a); UnicodeError is a ValueError.
            raise UnsafeSource(f"{url} or the address it redirects to is not valid") from None

    def _wait_turn(self, url: str) -> None:
        # One request at a time per host, spaced by the configured interval (or the site's
        # Crawl-delay): a registry must not hammer the sites it reads.
        host = (urlsplit(url).hostname or "").lower()
        interval = max(self.options.host_interval, self._crawl_delay(url))
        with _lock:
            now = time.monotonic()
            start = max(now, _next_request.get(host, 0.0))
            _next_request[host] = start + interval
        if start > now:
            if start > self.deadline:
                raise HarvestError("waiting for our turn at this host would take longer than the time limit")
            time.sleep(start - now)

    def _crawl_delay(self, url: str) -> float:
        parser = _robots.get(_robots_key(url), (0.0, None))[1]
        delay = parser.crawl_delay(_ROBOTS_AGENT) if parser is not None else None
        return min(float(delay), _MAX_CRAWL_DELAY) if delay else 0.0

    def _check_robots(self, url: str) -> None:
        key = _robots_key(url)
        with _lock:
            cached = _robots.get(key)
        if cached is None or cached[0] < time.monotonic():
            parser = self._load_robots(key)
            with _lock:
                _robots[key] = (time.monotonic() + _ROBOTS_TTL, parser)
        else:
            parser = cached[1]
        if parser is not None and not parser.can_fetch(_ROBOTS_AGENT, url):
            raise HarvestError("the site's robots.txt asks robots not to read this page")

    def _load_robots(self, key: str) -> RobotFileParser | None:
        parser = RobotFileParser()
        try:
            url = key + "/robots.txt"
            for _hop in range(self.options.max_redirects + 1):
                page = self._request(url, method="GET", validator=None, limit=_MAX_ROBOTS_BYTES)
                if page.status in _REDIRECTS and page.headers.get("location"):
                    url = _redirect_target(url, page.headers["location"])
                    continue
                break
        except UnsafeSource:
            raise
        except HarvestError as err:
            raise HarvestError(f"the site's robots.txt could not be read: {err}") from None
        if page.status in (401, 403):
            parser.parse(["User-agent: *", "Disallow: /"])  # a site that locks robots.txt away refuses all
        elif page.status >= 500:
            raise HarvestError(f"the site's robots.txt could not be read (the server answered {page.status})")
        elif page.status == 200:
            parser.parse(page.body.decode("utf-8", errors="replace").splitlines())
        else:
            return None  # no robots.txt: everything may be read
        return parser


def _redirect_target(url: str, location: str) -> str:
    """Return the checked address a redirect points to; a malformed one is a harvest error, not a crash."""
    try:
        target = urljoin(url, location)
    except ValueError:
        raise HarvestError(f"the server redirected to an address that is not valid ({location[:200]!r})") from None
    try:
        return check_page_url(target)
    except UnsafeSource as refused:
        raise UnsafeSource(f"the server redirected to an address that is refused: {refused}") from None


def _robots_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _plain(exc: httpx.HTTPError, *, timeout: float) -> HarvestError:
    if isinstance(exc.__cause__, RefusedAddress):
        return UnsafeSource(str(exc.__cause__))
    if isinstance(exc.__cause__, DeadlineReached):
        return HarvestError(f"reading the page took longer than {timeout:g} seconds and was stopped")
    if isinstance(exc, httpx.ConnectTimeout):
        return HarvestError("could not connect to the server in time")
    if isinstance(exc, httpx.TimeoutException):
        return HarvestError("the server did not answer in time")
    if isinstance(exc, httpx.ConnectError):
        text = str(exc).lower()
        if "certificate" in text or "ssl" in text:
            return HarvestError("the server's TLS certificate was not accepted")
        return HarvestError("could not connect to the server")
    if isinstance(exc, httpx.InvalidURL):
        return UnsafeSource("the URL is not valid")
    if isinstance(exc, httpx.RemoteProtocolError) and "location" in str(exc).lower():
        # httpx reads a redirect's Location itself, and refuses a malformed one (http://[::1).
        return HarvestError("the server redirected to an address that is not valid")
    return HarvestError(f"the page could not be fetched ({type(exc).__name__})")


def status_error(page: Page) -> HarvestError | None:
    """Return the plain-words error for an answer that is not a page, or None for 200."""
    if page.status == 200:
        return None
    reasons = {
        404: "the page was not found (404)",
        410: "the page is gone (410)",
        401: "the page needs a login (401)",
        403: "the server refused access to the page (403)",
        429: "the server asked us to slow down (429); try again later",
    }
    if page.status in reasons:
        return HarvestError(reasons[page.status])
    if page.status in _REDIRECTS:
        return HarvestError(f"the server answered with a redirect ({page.status}) but no address")
    if page.status >= 500:
        return HarvestError(f"the server failed to answer ({page.status})")
    return HarvestError(f"the server answered {page.status} instead of the page")
