"""Password rules and argon2id hashing (argon2-cffi)."""

import unicodedata
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8
MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"

# OWASP's argon2id minimum: 19 MiB of memory, 2 passes, 1 lane.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verifying against this when an account does not exist keeps the timing the same.
_DUMMY_HASH = HASHER.hash("not a real password, only for timing")


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def normalise(password: str) -> str:
    """NFKC, so the same password typed on two keyboards is the same password."""
    return unicodedata.normalize("NFKC", password)


def problems(password: str, *, personal: tuple[str | None, ...] = ()) -> list[str]:
    """Why a new password is not acceptable, in plain words (empty when it is fine)."""
    password = normalise(password)
    if len(password) < MIN_LENGTH:
        return [f"Use at least {MIN_LENGTH} characters. A few words together work well."]
    if len(password) > MAX_LENGTH:
        return [f"Use at most {MAX_LENGTH} characters."]
    lowered = password.casefold()
    if lowered in common_passwords():
        return ["This password is too common. Try a few words that mean something to you."]
    # Short names ("Al") turn up inside too many good passwords to be worth refusing.
    if any(value and len(value) >= 4 and value.casefold() in lowered for value in personal):
        return ["Do not use your name, email or username in your password."]
    return []


def hash_password(password: str) -> str:
    return HASHER.hash(normalise(password))


def verify(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash (no such account) spend the same time and fail."""
    try:
        return HASHER.verify(password_hash or _DUMMY_HASH, normalise(password)) and bool(
            password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return HASHER.check_needs_rehash(password_hash)
