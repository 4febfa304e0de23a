"""QR codes as SVG, so a peer can join by pointing a phone's camera at the worker's screen."""

import io

import segno


def svg(text: str) -> str:
    """A standalone SVG document of `text` as a QR code: black on white, with the quiet zone
    scanners need, no XML declaration, sized by its viewBox so it scales to any screen."""
    code = segno.make(text, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="svg", scale=1, border=4, xmldecl=False, svgns=True, omitsize=True,
              dark="#000", light="#fff", title="QR code")
    return out.getvalue().decode()
