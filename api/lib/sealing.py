"""Sealing a secret the server must read again (a webhook's signing secret): AES-256-GCM
with a key derived from the app's SECRET_KEY, bound to what it belongs to (`context`), so a
sealed value copied onto another row does not open.

A copy of the database alone opens nothing; whoever also holds SECRET_KEY can.
"""

import base64
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = "s1"
_INFO = b"rapport sealed secrets v1"


def _key(secret_key: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret_key.encode())


def seal(secret_key: str, plain: str, context: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_key(secret_key)).encrypt(nonce, plain.encode(), context.encode())
    return f"{VERSION}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def open_sealed(secret_key: str, sealed: str, context: str) -> str:
    """The plain text; raises cryptography's InvalidTag if the key or the context differ."""
    version, _, data = sealed.partition(":")
    if version != VERSION:
        raise ValueError(f"unknown sealing version {version!r}")
    raw = base64.urlsafe_b64decode(data)
    return AESGCM(_key(secret_key)).decrypt(raw[:12], raw[12:], context.encode()).decode()
