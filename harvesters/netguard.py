"""Which addresses a harvester may connect to, checked where the connection is made.

A name is resolved once, every address it resolves to is checked, and the connection goes
to a checked address: a second DNS answer (rebinding) cannot send it somewhere private.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import socket
import ssl
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import SplitResult, urlsplit

import httpcore
import httpx

from .record import HarvestOptions, UnsafeSource

# Prefixes whose last 32 bits are the IPv4 address really reached: the well-known NAT64 prefix,
# IPv4-compatible (::a.b.c.d, deprecated but still routed by some stacks) and IPv4-translated
# (::ffff:0:a.b.c.d) addresses.
_EMBEDDING = tuple(ipaddress.ip_network(n) for n in ("64:ff9b::/96", "::/96", "::ffff:0:0:0/96"))
# Never public although Python calls them global: local-use NAT64 (RFC 8215, the IPv4 address may
# sit anywhere in it) and the deprecated site-local block.
_NOT_PUBLIC = tuple(ipaddress.ip_network(n) for n in ("64:ff9b:1::/48", "fec0::/10"))
# What inet_aton reads as an IPv4 address besides dotted quads: 2130706433, 0x7f.1, 0177.0.0.1, 127.1.
_NUMERIC_HOST = re.compile(r"^(?:0[xX][0-9a-fA-F]*|[0-9]+)(?:\.(?:0[xX][0-9a-fA-F]*|[0-9]+)){0,3}$")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")


class RefusedAddress(httpcore.ConnectError):
    """A connection was refused before it was made: the host is private, local or unknown."""


class HostNotFound(UnsafeSource):
    """A host name resolves to no address."""


class DeadlineReached(httpcore.ReadTimeout):
    """The harvest's time limit ran out while a connection was still talking."""


def system_resolver(host: str, port: int) -> list[str]:
    """Return the addresses a host name resolves to (the operating system's resolver)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


#: How host names become addresses. Tests replace it (there is no DNS where they run); every
#: check below, for git and for pages, goes through it.
resolver: Callable[[str, int], list[str]] = system_resolver


def is_public_address(address: str) -> bool:
    """Tell whether an IP address is on the public internet (not loopback, private, link-local, CGNAT…)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if any(ip in net for net in _NOT_PUBLIC):
            return False
        # An IPv6 address can carry an IPv4 one (::ffff:127.0.0.1, 6to4, Teredo, NAT64): judge that one.
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and any(ip in net for net in _EMBEDDING) and int(ip) > 1:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            ip = embedded
    return ip.is_global and not ip.is_multicast


def literal_address(host: str) -> str | None:
    """Return the address an IP-literal host stands for (any spelling inet_aton takes), or None for a name."""
    bare = host.strip("[]").rstrip(".")
    if ":" in bare:
        try:
            return str(ipaddress.IPv6Address(bare.split("%", 1)[0]))
        except ValueError:
            return None
    if _NUMERIC_HOST.match(bare):
        try:
            return socket.inet_ntoa(socket.inet_aton(bare))
        except OSError:
            return None
    return None


def split_url(url: str) -> tuple[SplitResult, str, int | None]:
    """Split a URL and check its host before anything is looked up: return (parts, host in IDNA form, port).

    An unparsable URL (a bad port), a missing host and a user name or password are refused.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeSource(f"{url} is not a valid URL") from None
    if not parts.hostname:
        raise UnsafeSource(f"{url} names no host")
    if parts.username is not None or parts.password is not None:
        raise UnsafeSource("URLs with a user name or password are not allowed")
    return parts, check_host_name(parts.hostname), port


def check_host_name(host: str) -> str:
    """Return the host in ASCII (IDNA) form; raise UnsafeSource if it is not a host name or an IP address.

    A "host" starting with ``-`` or holding ``=`` or spaces is an option smuggled into a URL, and is
    refused here, before any lookup.
    """
    if literal_address(host) is not None:
        return host
    if _NUMERIC_HOST.match(host.rstrip(".")):
        raise UnsafeSource(f"{host} is not a valid IP address")
    try:
        ascii_host = host if host.isascii() else host.encode("idna").decode("ascii")
    except UnicodeError:
        raise UnsafeSource(f"{host} is not a valid host name") from None
    labels = ascii_host.rstrip(".").split(".")
    if len(ascii_host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise UnsafeSource(f"{host} is not a valid host name")
    return ascii_host


def is_local_name(host: str) -> bool:
    """Tell whether a name is reserved for this machine (localhost and its sub-domains, RFC 6761)."""
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


def addresses_of(host: str, port: int) -> list[str]:
    """Return the addresses of a host: an IP literal's own, or what the resolver answers."""
    literal = literal_address(host)
    if literal is not None:
        return [literal]
    try:
        addresses = resolver(host, port)
    except (OSError, UnicodeError):
        addresses = []
    if not addresses:
        raise HostNotFound(f"the host {host} could not be found")
    return addresses


def checked_addresses(host: str, port: int, *, allow_private: bool) -> list[str]:
    """Resolve a host and return its addresses; raise UnsafeSource if any is not public (unless allowed)."""
    if not allow_private and is_local_name(host):
        raise UnsafeSource(f"{host} is a private or local address; refused")
    addresses = addresses_of(host, port)
    if not allow_private:
        for address in addresses:
            if not is_public_address(address):
                raise UnsafeSource(f"{host} is a private or local address ({address}); refused")
    return addresses


def _time_left(deadline: float | None, timeout: float | None) -> float | None:
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise DeadlineReached("the time limit ran out")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the harvest's deadline.

    The read timeout alone bounds the wait for each piece: a server sending one byte a second
    would otherwise hold a harvest for as long as it likes.
    """

    def __init__(self, stream: httpcore.NetworkStream, deadline: float | None) -> None:
        self._stream = stream
        self._deadline = deadline

    def _call(self, method: Callable[..., Any], *args: Any, timeout: float | None) -> Any:
        left = _time_left(self._deadline, timeout)
        try:
            return method(*args, timeout=left)
        except (httpcore.ReadTimeout, httpcore.WriteTimeout, httpcore.ConnectTimeout):
            if self._deadline is not None and time.monotonic() >= self._deadline:
                raise DeadlineReached("the time limit ran out") from None
            raise

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._call(self._stream.read, max_bytes, timeout=timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._call(self._stream.write, buffer, timeout=timeout)

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        stream = self._call(self._stream.start_tls, ssl_context, server_hostname, timeout=timeout)
        return _DeadlineStream(stream, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _GuardedBackend(httpcore.SyncBackend):
    def __init__(self, *, allow_private: bool, deadline: float | None = None) -> None:
        self.allow_private = allow_private
        self.deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = checked_addresses(host, port, allow_private=self.allow_private)
        except UnsafeSource as refused:
            raise RefusedAddress(str(refused)) from None
        error: Exception | None = None
        for address in addresses:
            try:
                # TLS still checks the certificate against the host name: httpcore passes the
                # request's host as the server name when it starts TLS on this stream.
                stream = super().connect_tcp(
                    address,
                    port,
                    timeout=_time_left(self.deadline, timeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
                return _DeadlineStream(stream, self.deadline)
            except httpcore.ConnectError as exc:
                error = exc
        raise error or httpcore.ConnectError(f"could not connect to {host}")


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    # Loading the certificate store costs tens of milliseconds; one context serves every
    # connection (an SSLContext is safe to share between threads), where a hub harvest opens a
    # client per source.
    return httpx.create_ssl_context()


class GuardedTransport(httpx.HTTPTransport):
    """An httpx transport whose every connection goes through the address check."""

    def __init__(self, *, allow_private: bool, deadline: float | None = None) -> None:
        super().__init__(trust_env=False, verify=_ssl_context())
        # Replaces the pool HTTPTransport built, keeping its defaults, with one whose network
        # backend checks addresses: httpx has no public switch for the backend.
        backend = _GuardedBackend(allow_private=allow_private, deadline=deadline)
        self._pool = httpcore.ConnectionPool(
            ssl_context=_ssl_context(),
            network_backend=backend,
            max_connections=10,
            max_keepalive_connections=5,
        )


def guarded_client(options: HarvestOptions, *, deadline: float | None = None) -> httpx.Client:
    """Return an HTTP client that never follows redirects itself and never reaches refused addresses.

    With a ``deadline`` (a ``time.monotonic()`` value), no connection outlives it.
    """
    timeout = httpx.Timeout(
        connect=options.connect_timeout,
        read=options.read_timeout,
        write=options.read_timeout,
        pool=options.connect_timeout,
    )
    transport = GuardedTransport(allow_private=options.allow_private, deadline=deadline)
    return httpx.Client(
        transport=transport,
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": options.user_agent},
    )
