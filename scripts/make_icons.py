"""Draw the app icons (PNG) with the standard library only: two overlapping circles, two
people meeting, on the brand colour. Run: python scripts/make_icons.py"""

import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "pwa" / "icons"
BRAND = (36, 87, 197)
WHITE = (255, 255, 255)
SOFT = (170, 196, 245)


def png(size: int, pixel) -> bytes:
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y, size)) for x in range(size))
                    for y in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def meeting(scale: float):
    """Two circles side by side, overlapping; `scale` shrinks them into a safe zone."""
    def pixel(x, y, size):
        cx, cy, r = size / 2, size / 2, size * 0.22 * scale
        left = (x - (cx - r * 0.6)) ** 2 + (y - cy) ** 2 <= r * r
        right = (x - (cx + r * 0.6)) ** 2 + (y - cy) ** 2 <= r * r
        if left and right:
            return WHITE
        if left or right:
            return SOFT
        return BRAND
    return pixel


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        (OUT / f"icon-{size}.png").write_bytes(png(size, meeting(1.0)))
    # Maskable: the artwork stays inside the central 80% that every mask keeps.
    (OUT / "maskable-512.png").write_bytes(png(512, meeting(0.8)))
