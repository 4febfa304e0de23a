"""The content files in api/content/: where they are, how they are read, how they fail."""

import tomllib
from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parents[1] / "content"


class ContentError(Exception):
    """A content file is missing, unreadable or breaks a rule; nothing was written."""


def read_toml(path: Path) -> dict:
    """A TOML file's tables, or ContentError naming the file."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ContentError(f"{path.name}: {exc}") from exc
