"""Which URLs and addresses a capture may reach (SSRF).

A capture fetches what a stranger's page asks for, from inside the organisation's network. By default it
reaches only public addresses: a URL whose host is, or resolves to, a private, loopback, link-local,
multicast, reserved or unspecified address is refused, for IPv4 and IPv6 alike, and an IPv6 address that
carries an IPv4 one (IPv4-mapped, NAT64, 6to4, Teredo) is judged by the IPv4 address it carries. A host
name that resolves to several addresses is refused when any of them is, so that the address the browser
connects to is never one that was not checked.

The same check guards every connection the browser opens (:mod:`.proxy`), so a public page cannot
redirect to, or load a resource from, ``169.254.169.254``.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.parse
from dataclasses import dataclass

from testament.errors import InvalidInput

SWITCH = (
    "set TESTAMENT_CAPTURE_ALLOW_PRIVATE=1 or capture_allow_private = true "
    "in the configuration file to allow it"
)
SCHEMES = ("http", "https")
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class CaptureRefused(InvalidInput):
    """A URL this capture may not fetch: a bad scheme, a URL with no host, a host that does not resolve,
    or a private or loopback address; ``reason`` says which, and how to allow it where it may be allowed.
    Another attempt would be refused too, so a job that meets it fails at once."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Target:
    """A checked URL: its scheme, host (IPv6 without brackets) and port."""

    url: str
    scheme: str
    host: str
    port: int


def parse_url(url: str) -> Target:
    """Check that ``url`` is an http or https URL with a host; raise :class:`CaptureRefused` if not."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise CaptureRefused("the URL is not valid (its host or port cannot be read)") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        shown = f"'{scheme}:'" if scheme else "none"
        raise CaptureRefused(f"only http and https URLs can be captured (the scheme is {shown})")
    host = parts.hostname
    if not host:
        raise CaptureRefused("the URL has no host")
    default = 443 if scheme == "https" else 80
    return Target(url.strip(), scheme, host, port or default)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (IPv4-mapped, NAT64, 6to4, Teredo), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def is_refused(address: IPAddress) -> bool:
    """Whether a capture may not connect to ``address`` unless private addresses are allowed."""
    if isinstance(address, ipaddress.IPv6Address):
        carried = _embedded_ipv4(address)
        if carried is not None:
            return is_refused(carried)
    return (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def refusal(address: IPAddress) -> CaptureRefused:
    """The refusal for a private or loopback address, naming the switch that allows it."""
    shown = str(address)
    if (
        isinstance(address, ipaddress.IPv6Address)
        and (carried := _embedded_ipv4(address)) is not None
    ):
        shown = f"{address}, which carries {carried}"
    return CaptureRefused(f"the URL points to a private or loopback address ({shown}); {SWITCH}")


def resolve(host: str, port: int, *, allow_private: bool) -> list[IPAddress]:
    """The addresses ``host`` resolves to, each checked; raise :class:`CaptureRefused` if it does not
    resolve, or if any address is refused and private addresses are not allowed."""
    try:
        addresses: list[IPAddress] = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            raise CaptureRefused("the URL's host name does not resolve") from None
        addresses = []
        for *_, sockaddr in found:
            address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            if address not in addresses:
                addresses.append(address)
    if not allow_private:
        for address in addresses:
            if is_refused(address):
                raise refusal(address)
    return addresses


def check_url(url: str, *, allow_private: bool) -> Target:
    """Check ``url`` before a capture starts: its form, then every address its host resolves to."""
    target = parse_url(url)
    resolve(target.host, target.port, allow_private=allow_private)
    return target
