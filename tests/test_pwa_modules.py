"""The phone app's modules import one another without cycles: `make jscheck` (madge) passes on
the app and fails on a copy given one. A view that imported app.js, which loads the views,
was such a cycle."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MADGE = ROOT / ".tools" / "node" / "madge" / "node_modules" / ".bin" / "madge"

pytestmark = pytest.mark.skipif(not MADGE.exists(),
                                reason="madge is not installed: `make jscheck` installs it")


def jscheck(folder: Path) -> subprocess.CompletedProcess:
    # A parent `make test` passes its flags (jobserver) down; this make is a fresh one.
    env = {key: value for key, value in os.environ.items()
           if key not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    return subprocess.run(["make", "-s", "--no-print-directory", "-C", str(ROOT), "jscheck",
                           f"PWA_JS={folder}"],
                          capture_output=True, text=True, timeout=120, env=env, check=False)


def test_the_app_has_no_import_cycle():
    js = ROOT / "pwa" / "js"
    result = jscheck(js)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Processed {len(list(js.rglob('*.js')))} files" in result.stdout  # every module read


def test_a_view_that_imports_the_app_is_a_cycle(tmp_path):
    js = tmp_path / "js"
    shutil.copytree(ROOT / "pwa" / "js", js)
    # A view only app.js imports, so the cycle madge reports is this one and no longer one.
    faq = js / "views" / "faq.js"
    faq.write_text('import "../app.js";\n' + faq.read_text(encoding="utf-8"), encoding="utf-8")
    result = jscheck(js)
    assert result.returncode != 0
    assert "app.js > views/faq.js" in result.stdout
