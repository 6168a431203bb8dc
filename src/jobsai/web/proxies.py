"""Which client a request comes from, believing proxy headers only from configured proxies.

Why: the rate limits and the admin loopback rule key on the client's address. uvicorn by
default believes ``X-Forwarded-For`` from 127.0.0.1, so any program on the same host could
name its own address in a header and get a fresh rate-limit bucket per request. Here no
header is believed unless ``JOBSAI_WEB_TRUSTED_PROXIES`` lists the proxy (IPs or CIDRs), and
``jobsai serve`` turns uvicorn's own handling off.

With trusted proxies, a request whose immediate peer is one of them gets as its client the
rightmost address in ``X-Forwarded-For`` that is not itself a trusted proxy (each proxy
appends the address it saw, so everything to the left of that is what the client claimed),
and its scheme from ``X-Forwarded-Proto``. The request is marked as having come through a
proxy (``scope["state"]["via_proxy"]``), with or without those headers: the admin pages'
"this machine only" rule must not let in everybody behind a proxy on the same host.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
VIA_PROXY = "via_proxy"
"""Key in ``scope["state"]`` (``request.state.via_proxy``): the immediate peer was a trusted proxy."""


def parse_networks(spec: str | Iterable[str]) -> tuple[IPNetwork, ...]:
    """``"10.0.0.1, 192.168.0.0/16, ::1"`` as networks; ValueError names a bad entry."""
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    out: list[IPNetwork] = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        try:
            out.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"not an IP address or CIDR network: {item!r} (in JOBSAI_WEB_TRUSTED_PROXIES)") from None
    return tuple(out)


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.9:5123"
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


class TrustedProxies:
    """The configured proxies, and the client address a request's headers may claim through them."""

    def __init__(self, networks: Sequence[IPNetwork] = ()) -> None:
        self.networks = tuple(networks)

    @classmethod
    def parse(cls, spec: str | Iterable[str]) -> TrustedProxies:
        return cls(parse_networks(spec))

    def __bool__(self) -> bool:
        return bool(self.networks)

    def trusts(self, host: str | None) -> bool:
        addr = _ip(host or "")
        return addr is not None and any(addr.version == n.version and addr in n for n in self.networks)

    def client_from(self, peer: str, forwarded_for: Sequence[str]) -> str:
        """The client behind ``peer``: the rightmost untrusted hop of ``X-Forwarded-For`` (all its
        headers, in order), or ``peer`` when it is no trusted proxy or names no usable hop."""
        if not self.trusts(peer):
            return peer
        hops = [h.strip() for value in forwarded_for for h in value.split(",") if h.strip()]
        for hop in reversed(hops):
            addr = _ip(hop)
            if addr is None:
                return peer  # a proxy appends the address it saw; garbage here is a misconfiguration
            if not self.trusts(str(addr)):
                return str(addr)
        return str(_ip(hops[0])) if hops else peer  # every hop is a proxy: the first one asked


class ProxyHeadersMiddleware:
    """Set the client (and scheme) from trusted proxies' headers; mark requests that came through one."""

    def __init__(self, app: ASGIApp, proxies: TrustedProxies) -> None:
        self.app = app
        self.proxies = proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.proxies:
            client = scope.get("client")
            peer = client[0] if client else ""
            if self.proxies.trusts(peer):
                headers = scope.get("headers") or []
                forwarded = [v.decode("latin-1") for k, v in headers if k == b"x-forwarded-for"]
                proto = next((v.decode("latin-1").strip().lower() for k, v in headers if k == b"x-forwarded-proto"), "")
                scope = dict(scope)
                scope["state"] = {**scope.get("state", {}), VIA_PROXY: True}
                if forwarded:
                    scope["client"] = (self.proxies.client_from(peer, forwarded), 0)
                if proto in ("http", "https"):
                    scope["scheme"] = proto.replace("http", "ws") if scope["type"] == "websocket" else proto
        await self.app(scope, receive, send)


def request_client(request: object | None) -> str:
    """The client address of a UI event's request (``gr.Request``), as :class:`ProxyHeadersMiddleware`
    left it, for rate limits; ``"unknown"`` off a live request."""
    client = getattr(request, "client", None) if request is not None else None
    return str(getattr(client, "host", None) or "unknown")
