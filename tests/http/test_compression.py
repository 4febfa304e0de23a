"""Compressed answers: smaller on the wire, the same content, and still safe to revalidate
and to edit with (a compressed answer's strong ETag names its coding)."""

import json

import brotli
import pytest

BR = {"Accept-Encoding": "br"}


def test_without_accept_encoding_nothing_is_compressed(client):
    response = client.get("/api/v1/tips")
    assert "Content-Encoding" not in response.headers
    assert len(response.get_json()) > 0


def test_a_public_list_is_compressed_and_revalidates(client):
    plain = client.get("/api/v1/tips", query_string={"page_size": 100})
    packed = client.get("/api/v1/tips", query_string={"page_size": 100}, headers=BR)
    assert packed.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert json.loads(brotli.decompress(packed.data)) == plain.get_json()
    assert len(packed.data) < len(plain.data) / 2
    assert packed.headers["ETag"] == plain.headers["ETag"][:-1] + ':br"'
    again = client.get("/api/v1/tips", query_string={"page_size": 100},
                       headers={**BR, "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


@pytest.mark.parametrize("path", ["/", "/js/app.js", "/css/app.css", "/sw.js", "/embed.js"])
def test_the_apps_files_are_compressed_and_revalidate(client, path):
    plain = client.get(path)
    packed = client.get(path, headers=BR)
    assert packed.headers["Content-Encoding"] == "br"
    assert brotli.decompress(packed.data) == plain.data
    assert packed.headers["Content-Security-Policy"] == plain.headers["Content-Security-Policy"]
    again = client.get(path, headers={**BR, "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304


def test_an_etag_from_a_compressed_answer_works_for_edits(client, world):
    created = client.post(f"/api/v1/partnerships/{world.partnership_a}/goals",
                          json={"title": "Cook twice a week"}, headers=world["worker_a"].headers)
    url, plain = created.headers["Location"], created.headers["ETag"]
    # A goal is too small to be compressed here, so its coded form is built as a compressed
    # answer would carry it (Flask-Compress appends ":br" inside the quotes).
    coded = plain[:-1] + ':br"'
    edited = client.patch(url, json={"title": "Cook three times a week"},
                          headers={**world["peer_a"].headers, "If-Match": coded})
    assert edited.status_code == 200
    stale = client.patch(url, json={"title": "Cook daily"},
                         headers={**world["peer_a"].headers, "If-Match": coded})
    assert stale.status_code == 412
