"""Browser tests: the real app served on loopback, driven by the system Chromium.

Playwright's own browser download does not work on these machines, so the system Chromium
(installed by `make test` when missing) is launched by path.
"""

import logging
import random
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}
HOSTILE = '<img src=x onerror="alert(1)">'
PASSWORD = "walking together every morning"  # noqa: S105 (test accounts' password)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


@contextmanager
def serving(wsgi_app) -> Iterator[str]:
    """Serve a WSGI app on 127.0.0.1 in a thread; yields its base URL."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    # Below 32768: the ephemeral range fills up on a busy machine.
    for _ in range(50):
        port = random.randint(20000, 32000)  # noqa: S311 (a test port, not a secret)
        try:
            server = make_server("127.0.0.1", port, wsgi_app, threaded=True)
            break
        except OSError:
            continue
    else:
        raise RuntimeError("no free port")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    with serving(app) as url:
        yield url


@pytest.fixture(scope="session")
def chromium():
    if not shutil.which(CHROMIUM) and not CHROMIUM.startswith("/"):
        pytest.fail("Chromium is missing: `make test` installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


# wait_for_function gets arrow functions, never bare expressions: Playwright evals an
# expression while polling, and the app's CSP (rightly) forbids eval.


def open_view(page, base: str, hash_: str = "", wait: str = "main h1"):
    url = f"{base}/{hash_}"
    if page.url == url:  # same URL: goto would not even fire hashchange
        page.reload()
    else:
        page.goto(url)
    page.locator(wait).first.wait_for()
    return page


def session_cookie(base: str, token: str) -> dict:
    """The session cookie a sign-in there would have set. (A __Host- cookie is given by host
    and path: Chromium refuses one set for an http:// URL, though it keeps one sent by the
    server on 127.0.0.1.)"""
    return {"name": "__Host-rapport_session", "value": token, "path": "/", "secure": True,
            "httpOnly": True, "sameSite": "Strict", "domain": urlsplit(base).hostname}


def signed_in_as(page, base: str, token: str) -> None:
    """Give a phone the session a sign-in there would have made (cookie and flag)."""
    page.context.add_cookies([session_cookie(base, token)])
    page.goto(base + "/")
    page.evaluate("localStorage.setItem('rapport.signedIn', '1')")
    page.reload()


def new_phone(chromium, **options):
    """A page in a fresh phone-sized context, recording any dialog (script that must not run)."""
    context = chromium.new_context(**{**PHONE, "locale": "en-US", **options})
    page = context.new_page()
    page.dialogs, page.errors = [], []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


@pytest.fixture
def phone(chromium):
    page = new_phone(chromium)
    yield page
    page.context.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context()
    page = context.new_page()
    page.dialogs = []  # any alert() would be script running that must not
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()
