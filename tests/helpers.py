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
