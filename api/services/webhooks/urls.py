"""Where the server may post a webhook: never somewhere only it can reach (SSRF).

https only, no user name or password, and every address the host resolves to must be a public
one: not loopback, private, link-local (cloud metadata), shared or reserved. The check runs
when an endpoint is saved and again before each delivery, since a name can be pointed
elsewhere later. WEBHOOK_ALLOW_HTTP (tests only) lets http:// to loopback through and skips
the address check, for the tests' own receiver.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from flask import current_app

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
HTTPS_ONLY = "Use an https:// address."
NO_USERINFO = "The address may not hold a user name or password."
NOT_PUBLIC = "This address points inside a private network. Use a public address."
NOT_FOUND = "This address's host could not be found."
MALFORMED = "This is not a web address."


class UnsafeUrl(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check(url: str) -> None:
    """Raise UnsafeUrl unless the server may post to `url`."""
    if not url.isascii() or "\\" in url or any(ch <= " " or ch == "\x7f" for ch in url):
        raise UnsafeUrl(MALFORMED)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeUrl(MALFORMED) from None
    host = (parts.hostname or "").lower()
    if not host or parts.scheme not in ("https", "http"):
        raise UnsafeUrl(MALFORMED if not host else HTTPS_ONLY)
    if "@" in parts.netloc:
        raise UnsafeUrl(NO_USERINFO)
    allow_http = current_app.config["WEBHOOK_ALLOW_HTTP"]
    if parts.scheme == "http" and not (allow_http and host in LOOPBACK_NAMES):
        raise UnsafeUrl(HTTPS_ONLY)
    if allow_http:
        return
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        if not _public(literal):
            raise UnsafeUrl(NOT_PUBLIC)
        return
    try:
        found = socket.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UnsafeUrl(NOT_FOUND) from None
    for *_, address in found:
        if not _public(ipaddress.ip_address(address[0].split("%", 1)[0])):
            raise UnsafeUrl(NOT_PUBLIC)
