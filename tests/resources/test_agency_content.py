"""Agency content: an agency's own tips and FAQs, drafts to published, shown only where they
belong, attributed, and always as text."""

from datetime import UTC, datetime

import pytest

from api.db.unit_of_work import unit_of_work
from api.lib.languages import LANGUAGES
from api.services.loading import load_content
from tests.helpers import assert_problem, core_tips

CORE_TIPS = len(core_tips("worker"))


def tip_body(slug="before-a-first-visit", **extra):
    return {"slug": slug, "tags": ["trust"], "text": {"en": {
        "title": "Before a first visit", "summary": "Call ahead and say who you are.",
        "body": "A short call helps.\n\nSay your name and why you are coming.",
        "actions": ["Call the day before."], "questions": ["What would help you feel ready?"]}},
        **extra}


def faq_body(slug="where-do-we-meet", **extra):
    return {"slug": slug, "related_tips": ["reflect-back"], "text": {"en": {
        "question": "Where do we meet?", "answer": "Anywhere you feel safe."}}, **extra}


@pytest.fixture
def admin(client, world):
    """Post and patch as agency A's admin; returns helpers bound to its URLs."""
    headers = world["admin_a"].headers
    base = f"/api/v1/agencies/{world.agency_a}"

    class Admin:
        def post(self, kind, body):
            return client.post(f"{base}/{kind}", json=body, headers=headers)

        def patch(self, kind, slug, body):
            return client.patch(f"{base}/{kind}/{slug}", json=body, headers=headers)

        def delete(self, kind, slug):
            return client.delete(f"{base}/{kind}/{slug}", headers=headers)

        def get(self, path):
            return client.get(f"{base}/{path}", headers=headers)

    return Admin()


def public_slugs(client, path, **query):
    got = client.get(path, query_string={"page_size": 100, **query})
    assert got.status_code == 200, got.get_json()
    return [item["slug"] for item in got.get_json()]


def test_a_draft_stays_private_until_published_then_joins_its_agency_list(client, world, admin):
    made = admin.post("tips", tip_body())
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["status"] == "draft" and made.get_json()["number"] == 1
    agency = {"agency": world.agency_a}
    assert "before-a-first-visit" not in public_slugs(client, "/api/v1/tips", **agency)
    assert_problem(client.get("/api/v1/tips/before-a-first-visit", query_string=agency), 404)

    assert admin.patch("tips", "before-a-first-visit", {"status": "published"}).status_code == 200
    slugs = public_slugs(client, "/api/v1/tips", **agency)
    # First: a list naming the agency is read on its site or app, where its own words lead.
    assert len(slugs) == CORE_TIPS + 1 and slugs[0] == "before-a-first-visit"
    assert public_slugs(client, "/api/v1/tips")[0] == slugs[1]  # then the core ones, in order
    shown = client.get("/api/v1/tips/before-a-first-visit", query_string=agency).get_json()
    assert shown["agency"] == {"id": world.agency_a, "name": "Agency A"}
    assert shown["title"] == "Before a first visit" and shown["tags"] == ["trust"]
    # Nowhere else: not in the core list, not in another agency's.
    assert "before-a-first-visit" not in public_slugs(client, "/api/v1/tips")
    assert "before-a-first-visit" not in public_slugs(client, "/api/v1/tips",
                                                      agency=world.agency_b)
    assert all(t["agency"] is None for t in client.get("/api/v1/tips").get_json())
    # Unpublished again: gone again.
    admin.patch("tips", "before-a-first-visit", {"status": "draft"})
    assert "before-a-first-visit" not in public_slugs(client, "/api/v1/tips", **agency)


def test_the_admin_list_holds_drafts_and_published_alike(admin):
    admin.post("tips", tip_body("one"))
    admin.post("tips", tip_body("two", status="published"))
    listed = admin.get("tips").get_json()
    assert [(t["slug"], t["status"], t["number"]) for t in listed] == [
        ("one", "draft", 1), ("two", "published", 2)]
    assert listed[0]["text"]["en"]["title"] == "Before a first visit"


def test_slugs_are_unique_per_agency_and_never_shadow_a_core_tip(client, world, admin):
    assert_problem(admin.post("tips", tip_body("reflect-back")), 409)
    assert admin.post("tips", tip_body("mine")).status_code == 201
    assert_problem(admin.post("tips", tip_body("mine")), 409)
    other = client.post(f"/api/v1/agencies/{world.agency_b}/tips", json=tip_body("mine"),
                        headers=world["admin_b"].headers)
    assert other.status_code == 201  # each agency has its own names


def test_agency_text_is_kept_exactly_and_served_as_text(client, world, admin):
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    body = tip_body(status="published")
    body["text"]["en"]["title"] = hostile
    assert admin.post("tips", body).status_code == 201
    got = client.get("/api/v1/tips/before-a-first-visit",
                     query_string={"agency": world.agency_a})
    assert got.mimetype == "application/json" and got.get_json()["title"] == hostile
    assert "default-src 'none'" in got.headers["Content-Security-Policy"]  # nothing may run


def test_spanish_is_optional_and_falls_back_to_english(client, world, admin):
    admin.post("tips", tip_body(status="published"))
    spanish = client.get("/api/v1/tips/before-a-first-visit",
                         query_string={"agency": world.agency_a, "lang": "es"}).get_json()
    assert (spanish["language"], spanish["fallback"]) == ("en", True)
    es = {"title": "Antes de la primera visita", "summary": "Llama antes.", "body": "Llama.",
          "actions": [], "questions": []}
    patched = admin.patch("tips", "before-a-first-visit",
                          {"text": {**tip_body()["text"], "es": es}})
    assert sorted(patched.get_json()["text"]) == ["en", "es"]
    spanish = client.get("/api/v1/tips/before-a-first-visit",
                         query_string={"agency": world.agency_a, "lang": "es"}).get_json()
    assert (spanish["title"], spanish["fallback"]) == ("Antes de la primera visita", False)


def test_search_tags_and_tip_of_the_day_include_published_agency_tips(client, world, admin):
    admin.post("tips", tip_body(status="published"))
    agency = {"agency": world.agency_a}
    assert public_slugs(client, "/api/v1/tips", q="call ahead", **agency) == [
        "before-a-first-visit"]
    assert "before-a-first-visit" in public_slugs(client, "/api/v1/tips", tag="trust", **agency)
    days = {client.get("/api/v1/tips/today", query_string={"date": f"2027-01-{d:02d}",
                                                           **agency}).get_json()["slug"]
            for d in range(1, CORE_TIPS + 2)}
    assert len(days) == CORE_TIPS + 1  # one day more than core tips: a different tip each day


def test_faqs_link_only_tips_the_reader_may_see(client, world, admin):
    admin.post("tips", tip_body("our-draft"))
    assert_problem(admin.post("faqs", faq_body(related_tips=["no-such-tip"])), 422)
    other = client.post(f"/api/v1/agencies/{world.agency_b}/tips",
                        json=tip_body("theirs", status="published"),
                        headers=world["admin_b"].headers)
    assert other.status_code == 201
    assert "related_tips" in assert_problem(
        admin.post("faqs", faq_body(related_tips=["theirs"])), 422)["errors"]
    made = admin.post("faqs", faq_body(status="published",
                                       related_tips=["reflect-back", "our-draft"]))
    assert made.status_code == 201, made.get_json()
    shown = client.get("/api/v1/faqs/where-do-we-meet",
                       query_string={"agency": world.agency_a}).get_json()
    assert [t["slug"] for t in shown["related_tips"]] == ["reflect-back"]  # the draft: hidden
    assert shown["agency"]["name"] == "Agency A"
    listed = public_slugs(client, "/api/v1/faqs", agency=world.agency_a)
    assert listed[0] == "where-do-we-meet"  # the agency's own first
    assert "where-do-we-meet" not in public_slugs(client, "/api/v1/faqs")


def test_an_unknown_agency_is_a_404_not_a_quiet_fallback(client):
    missing = "00000000-0000-4000-8000-000000000000"
    assert_problem(client.get("/api/v1/tips", query_string={"agency": missing}), 404)
    assert_problem(client.get("/api/v1/faqs", query_string={"agency": missing}), 404)


def test_loading_core_content_leaves_agency_content_alone(app, client, world, admin):
    admin.post("tips", tip_body(status="published"))
    admin.post("faqs", faq_body(status="published"))
    with app.app_context(), unit_of_work():
        report = load_content(LANGUAGES)
    assert report.removed == 0
    assert "before-a-first-visit" in public_slugs(client, "/api/v1/tips", agency=world.agency_a)
    assert "where-do-we-meet" in public_slugs(client, "/api/v1/faqs", agency=world.agency_a)


def test_delete_removes_it_and_bad_input_changes_nothing(client, world, admin):
    admin.post("tips", tip_body(status="published"))
    bad = admin.patch("tips", "before-a-first-visit", {"status": "live"})
    assert "status" in assert_problem(bad, 422)["errors"]
    no_english = admin.patch("tips", "before-a-first-visit", {"text": {"es": None}})
    assert_problem(no_english, 422)
    assert admin.get("tips/before-a-first-visit").get_json()["status"] == "published"
    assert admin.delete("tips", "before-a-first-visit").status_code == 204
    assert_problem(admin.get("tips/before-a-first-visit"), 404)
    assert_problem(admin.delete("tips", "before-a-first-visit"), 404)


@pytest.mark.parametrize("who, status", [("admin_b", 404), ("worker_a", 403),
                                         ("peer_a", 403), ("anonymous", 401)])
def test_only_the_agencys_admins_write_its_content(client, world, who, status):
    got = client.post(f"/api/v1/agencies/{world.agency_a}/tips", json=tip_body(),
                      headers=world[who].headers)
    assert_problem(got, status)


def test_an_edit_that_changes_nothing_leaves_the_dates_alone(app, world, admin):
    from sqlalchemy import update

    from api.extensions import db
    from api.models import Tip

    admin.post("tips", tip_body(status="published"))
    with app.app_context():  # last changed a year ago, so any touch would show
        db.session.execute(update(Tip).where(Tip.slug == "before-a-first-visit")
                           .values(updated_at=datetime(2025, 11, 24, tzinfo=UTC)))
        db.session.commit()
    same = admin.patch("tips", "before-a-first-visit", {"status": "published", "tags": ["trust"]})
    assert same.get_json()["updated_at"] == "2025-11-24T00:00:00Z"
    changed = admin.patch("tips", "before-a-first-visit", {"tags": ["trust", "listening"]})
    assert changed.get_json()["updated_at"] > "2026"
