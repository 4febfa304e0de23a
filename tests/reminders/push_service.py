"""A push service and a browser, as the test plays them.

`PushService` is an HTTP endpoint on loopback that takes pushes as a real push service does
(RFC 8030): it records each request and answers what the test tells it to (201 by default;
404, 410, 429 or 500 to test clean-up and retries). `Browser` makes a subscription the way a
browser does (a P-256 key pair and a 16-byte auth secret), checks a push's VAPID signature
(RFC 8292) and decrypts its body with http_ece (RFC 8291, aes128gcm).
"""

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Push:
    path: str
    headers: dict  # names in lower case
    body: bytes


@dataclass
class PushService:
    pushes: list[Push] = field(default_factory=list)
    # path -> statuses to answer in turn (then 201); (status, headers) for Retry-After.
    answers: dict[str, list] = field(default_factory=dict)

    def __post_init__(self):
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                service.pushes.append(Push(self.path, headers, body))
                queued = service.answers.get(self.path) or []
                answer = queued.pop(0) if queued else 201
                status, headers = answer if isinstance(answer, tuple) else (answer, {})
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def endpoint(self, name: str) -> str:
        return f"{self.origin}/push/{name}"

    def to(self, name: str) -> list[Push]:
        return [push for push in self.pushes if push.path == f"/push/{name}"]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Browser:
    """One browser profile's push subscription, with the keys only the browser holds."""

    def __init__(self, service: PushService, name: str | None = None):
        self.name = name or b64url(os.urandom(9))
        self.endpoint = service.endpoint(self.name)
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth_secret = os.urandom(16)
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        self.p256dh = b64url(public)

    def subscription(self, **choices) -> dict:
        """What PushSubscription.toJSON() gives, plus the app's choices."""
        return {"endpoint": self.endpoint, "expiration_time": None,
                "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth_secret)}, **choices}

    def open(self, push: Push, server_key: str, audience: str) -> dict:
        """Check the push as a push service and a browser would, then read it."""
        check_vapid(push.headers, server_key, audience)
        assert push.headers["content-encoding"] == "aes128gcm"
        assert int(push.headers["ttl"]) > 0
        plain = http_ece.decrypt(push.body, private_key=self.private_key,
                                 auth_secret=self.auth_secret, version="aes128gcm")
        return json.loads(plain)


def check_vapid(headers: dict, server_key: str, audience: str) -> dict:
    """RFC 8292: `Authorization: vapid t=<JWT>, k=<key>`, the JWT signed ES256 by that key,
    for this push service's origin, expiring within 24 hours."""
    scheme, _, params = headers["authorization"].partition(" ")
    assert scheme == "vapid"
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    assert fields["k"] == server_key
    header_b64, claims_b64, signature_b64 = fields["t"].split(".")
    assert json.loads(unb64url(header_b64)) == {"typ": "JWT", "alg": "ES256"}
    claims = json.loads(unb64url(claims_b64))
    raw = unb64url(signature_b64)
    assert len(raw) == 64
    signature = encode_dss_signature(int.from_bytes(raw[:32]), int.from_bytes(raw[32:]))
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(server_key))
    try:
        key.verify(signature, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise AssertionError("the VAPID signature does not verify") from None
    assert claims["aud"] == audience
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600
    assert claims["sub"].startswith(("mailto:", "https:"))
    return claims
