"""How long browsers and proxies may keep the app's own files.

A URL that names no version revalidates every time (`no-cache` with a strong ETag, then a
304 with no body); a URL that carries a version is kept a year and never revalidated.
"""

import re

import pytest

from api.web.frontend import SWAGGER_UI_VERSION

UNVERSIONED = ["/", "/sw.js", "/manifest.webmanifest", "/offline.html", "/js/app.js",
               "/js/views/today.js", "/css/app.css", "/icons/icon-192.png", "/docs",
               "/docs/init.js", "/docs/swagger-ui.css"]
VENDOR = [f"/docs/swagger-ui/{SWAGGER_UI_VERSION}/{name}"
          for name in ("swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png")]
ONE_YEAR = 31536000


@pytest.mark.parametrize("path", UNVERSIONED)
def test_unversioned_files_revalidate_with_their_etag(client, path):
    response = client.get(path)
    assert response.status_code == 200
    cache = response.cache_control
    assert cache.no_cache and cache.public
    assert cache.max_age is None and not cache.immutable
    etag, weak = response.get_etag()
    assert etag and not weak
    again = client.get(path, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.cache_control.no_cache
    assert again.headers["ETag"] == response.headers["ETag"]


@pytest.mark.parametrize("path", ["/", "/sw.js", "/js/app.js", "/docs"])
def test_a_compressed_file_revalidates_too(client, path):
    packed = client.get(path, headers={"Accept-Encoding": "br"})
    assert packed.headers["Content-Encoding"] == "br" and packed.cache_control.no_cache
    again = client.get(path, headers={"Accept-Encoding": "br",
                                      "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("path", VENDOR)
def test_versioned_docs_assets_are_immutable_for_a_year(client, path):
    response = client.get(path)
    assert response.status_code == 200 and response.data
    cache = response.cache_control
    assert cache.public and cache.immutable and cache.max_age == ONE_YEAR
    assert not cache.no_cache
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    # Same bytes as the old address, which still works (and revalidates).
    old = client.get(path.replace(f"/swagger-ui/{SWAGGER_UI_VERSION}", ""))
    assert old.status_code == 200 and old.data == response.data


def test_another_version_of_the_docs_assets_is_not_found(client):
    assert client.get("/docs/swagger-ui/0.0.1/swagger-ui.css").status_code == 404


def test_the_docs_page_loads_its_assets_from_the_versioned_path(client):
    html = client.get("/docs").get_data(as_text=True)
    referenced = re.findall(r'(?:href|src)="([^"]+)"', html)
    vendor = [url for url in referenced if "swagger-ui" in url]
    assert sorted(vendor) == sorted(VENDOR)
    for url in referenced:
        assert client.get(url).status_code == 200, url


def test_the_service_worker_precaches_past_the_http_cache():
    """A new version must not copy yesterday's files out of the browser's HTTP cache."""
    from api.web.frontend import PWA_DIR

    source = (PWA_DIR / "sw.js").read_text(encoding="utf-8")
    install = source[source.index('addEventListener("install"'):]
    install = install[:install.index("});")]
    assert 'cache: "reload"' in install and "addAll(fresh)" in install
