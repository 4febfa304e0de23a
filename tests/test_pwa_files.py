"""The service worker precaches every script and style of the app: a file missing from its
list would load online and break the app offline."""

import re
from pathlib import Path

PWA = Path(__file__).resolve().parent.parent / "pwa"


def test_the_service_worker_precaches_every_script_and_style():
    source = (PWA / "sw.js").read_text(encoding="utf-8")
    listed = set(re.findall(r'"(/[^"]*)"', re.search(r"SHELL_FILES = \[(.*?)\];", source,
                                                    re.DOTALL).group(1)))
    files = {f"/{path.relative_to(PWA).as_posix()}"
             for folder in ("js", "css") for path in (PWA / folder).rglob("*") if path.is_file()}
    assert files - listed == set()
    assert {path for path in listed - files
            if not (PWA / path.lstrip("/")).exists()} <= {"/"}  # "/" is index.html
