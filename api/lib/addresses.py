"""Whom a per-address limit counts."""

import functools
import ipaddress


@functools.lru_cache(maxsize=8192)  # parsing an address was a tenth of a repeated read
def client_address(remote_addr: str | None) -> str:
    """The address; IPv6 by /64, the block one subscriber usually holds (so rotating
    inside it buys nothing), and an IPv4-mapped one as plain IPv4."""
    address = remote_addr or "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
