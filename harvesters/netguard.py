"""Which addresses a harvester may connect to, checked where the connection is made.

A name is resolved once, every address it resolves to is checked, and the connection goes
to a checked address: a second DNS answer (rebinding) cannot send it somewhere private.
"""
from __future__ import annotations

import ipaddress
import socket
from typing import Any

import httpcore
import httpx

from .record import HarvestOptions, UnsafeSource


# The well-known NAT64 prefix: the last 32 bits are the IPv4 address really reached.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class RefusedAddress(httpcore.ConnectError):
    """A connection was refused before it was made: the host is private, local or unknown."""


def is_public_address(address: str) -> bool:
    """Tell whether an IP address is on the public internet (not loopback, private, link-local, CGNAT…)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv6 address can carry an IPv4 one (::ffff:127.0.0.1, 6to4, Teredo): judge that one.
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            ip = embedded
    return ip.is_global and not ip.is_multicast


def checked_addresses(host: str, port: int, *, allow_private: bool) -> list[str]:
    """Resolve a host and return its addresses; raise UnsafeSource if any is not public (unless allowed)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise UnsafeSource(f"the host {host} could not be found") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not allow_private:
        for address in addresses:
            if not is_public_address(address):
                raise UnsafeSource(f"{host} is a private or local address ({address}); refused")
    return addresses


class _GuardedBackend(httpcore.SyncBackend):
    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:
        try:
            addresses = checked_addresses(host, port, allow_private=self.allow_private)
        except UnsafeSource as refused:
            raise RefusedAddress(str(refused)) from None
        error: Exception | None = None
        for address in addresses:
            try:
                # TLS still checks the certificate against the host name: httpcore passes the
                # request's host as the server name when it starts TLS on this stream.
                return super().connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                           socket_options=socket_options)
            except httpcore.ConnectError as exc:
                error = exc
        raise error or httpcore.ConnectError(f"could not connect to {host}")


class GuardedTransport(httpx.HTTPTransport):
    """An httpx transport whose every connection goes through the address check."""

    def __init__(self, *, allow_private: bool) -> None:
        super().__init__(trust_env=False)
        # Replaces the pool HTTPTransport built, keeping its defaults, with one whose network
        # backend checks addresses: httpx has no public switch for the backend.
        self._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(),
                                             network_backend=_GuardedBackend(allow_private=allow_private),
                                             max_connections=10, max_keepalive_connections=5)


def guarded_client(options: HarvestOptions) -> httpx.Client:
    """Return an HTTP client that never follows redirects itself and never reaches refused addresses."""
    timeout = httpx.Timeout(connect=options.connect_timeout, read=options.read_timeout,
                            write=options.read_timeout, pool=options.connect_timeout)
    return httpx.Client(transport=GuardedTransport(allow_private=options.allow_private), timeout=timeout,
                        follow_redirects=False, trust_env=False, headers={"User-Agent": options.user_agent})
