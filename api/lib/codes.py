"""Short codes people read aloud or type on a phone (invites, agency join codes)."""

import hashlib
import secrets

# Crockford's base32 without I, L, O and U: nothing that looks or sounds like another.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUP = 4


def new_code(groups: int = 2) -> str:
    """'K7QM-4TPX': 8 characters, 40 bits; guessing is bounded by rate limits and expiry."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(GROUP * groups))
    return "-".join(chars[i:i + GROUP] for i in range(0, len(chars), GROUP))


def canonical(code: str) -> str:
    """Forgive what people do when typing a code: case, spaces, dashes, O for 0, I/L for 1."""
    cleaned = code.upper().replace("-", "").replace(" ", "")
    cleaned = cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    return cleaned


def code_hash(code: str) -> str:
    return hashlib.sha256(canonical(code).encode()).hexdigest()
