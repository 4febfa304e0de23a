"""Assertions shared by the HTTP tests."""

import re

PROBLEM = "application/problem+json"


def assert_problem(response, status: int) -> dict:
    """The response is an RFC 9457 problem with the given status; return its body."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert all(isinstance(body[k], str) and body[k] for k in ("type", "title", "detail"))
    return body


def parse_links(header: str) -> dict[str, str]:
    """An RFC 8288 Link header as {rel: url}."""
    return {rel: url for url, rel in re.findall(r'<([^>]*)>;\s*rel="([^"]+)"', header)}


def qr_text_matches(svg: str, text: str) -> bool:
    """Whether a QR code SVG (as segno draws it: rows of horizontal strokes) shows exactly
    the modules of `text` encoded afresh. No QR decoder is installed here, so the picture is
    read back module by module and compared with segno's own matrix of the expected text."""
    import re
    from xml.etree import ElementTree

    import segno

    root = ElementTree.fromstring(svg)
    paths = [p for p in root.iter("{http://www.w3.org/2000/svg}path") if p.get("stroke")]
    assert len(paths) == 1, "one stroked path of dark modules"
    dark, x, y = set(), 0.0, 0.0
    for op, a, b in re.findall(r"([Mmh])\s*(-?[\d.]+)(?:[ ,](-?[\d.]+))?", paths[0].get("d")):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:  # h: a run of dark modules on this row
            dark |= {(int(y - 0.5), int(x) + i) for i in range(int(float(a)))}
            x += float(a)
    border = 4
    expected = {(r + border, c + border)
                for r, row in enumerate(segno.make(text, error="m", micro=False).matrix)
                for c, value in enumerate(row) if value}
    return dark == expected


def core_tips(audience: str = "worker") -> list[dict]:
    """Our own tips for one audience, as api/content/tips.en.toml holds them (number order).
    Tests count from here, so adding a tip to the file does not break every count."""
    import tomllib

    from api.lib.content_files import CONTENT_DIR

    with (CONTENT_DIR / "tips.en.toml").open("rb") as handle:
        tips = tomllib.load(handle)["tips"]
    return sorted((t for t in tips if t.get("audience", "worker") == audience),
                  key=lambda t: t["number"])
