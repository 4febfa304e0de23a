"""Lists run a bounded number of SQL statements, however many items a page holds."""

import pytest


@pytest.mark.parametrize("url", [
    "/api/v1/tips?page_size={n}", "/api/v1/tips?page_size={n}&lang=es&q=you&tag=trust",
    "/api/v1/faqs?page_size={n}", "/api/v1/faqs?page_size={n}&lang=es",
    "/api/v1/tips/today?lang=es", "/api/v1/tips/reflect-back?lang=es",
    "/api/v1/faqs/what-is-rapport?lang=es",
])
def test_statement_count_does_not_grow_with_page_size(client, count_queries, url):
    counts = []
    for size in (1, 100):
        with count_queries() as statements:
            assert client.get(url.format(n=size)).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 3, counts
