"""`flask content load`: idempotent, complete, and all-or-nothing."""

import shutil

import pytest
from sqlalchemy import func, select

from api.db.unit_of_work import unit_of_work
from api.extensions import db
from api.lib.content_files import CONTENT_DIR, ContentError
from api.lib.languages import LANGUAGES
from api.models import Faq, FaqTranslation, Tip, TipTranslation, Topic, TopicTranslation
from api.services.loading import load_content


@pytest.fixture
def content_dir(tmp_path):
    """A private copy of the real content files to edit."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def counts() -> tuple[int, ...]:
    """Core items and their texts: agencies' own content is not the loader's to count."""
    return (
        db.session.scalar(select(func.count()).select_from(Tip).where(Tip.agency_id.is_(None))),
        db.session.scalar(select(func.count()).select_from(TipTranslation).join(Tip)
                          .where(Tip.agency_id.is_(None))),
        db.session.scalar(select(func.count()).select_from(Faq).where(Faq.agency_id.is_(None))),
        db.session.scalar(select(func.count()).select_from(FaqTranslation).join(Faq)
                          .where(Faq.agency_id.is_(None))),
        db.session.scalar(select(func.count()).select_from(Topic)
                          .where(Topic.agency_id.is_(None))),
        db.session.scalar(select(func.count()).select_from(TopicTranslation).join(Topic)
                          .where(Topic.agency_id.is_(None))),
    )


def test_loading_twice_changes_nothing(app_ctx):
    before = counts()
    with unit_of_work():
        report = load_content(LANGUAGES)
    assert (report.created, report.updated, report.removed) == (0, 0, 0)
    # tips, FAQs, group topics, three instrument versions
    assert report.unchanged == before[0] + before[2] + before[4] + 3
    assert before[4] >= 14 and before[5] == 2 * before[4]  # every topic in English and Spanish
    assert counts() == before


def test_cli_loads_content(app):
    result = app.test_cli_runner().invoke(args=["content", "load"])
    assert result.exit_code == 0, result.output
    assert "0 created" in result.output and "languages: en, es" in result.output


def test_edits_and_removals_are_applied(app_ctx, content_dir, restore_content):
    tips = (content_dir / "tips.en.toml").read_text()
    tips = tips.replace('title = "Be yourself"', 'title = "Be your real self"')
    (content_dir / "tips.en.toml").write_text(tips)
    faqs_es = (content_dir / "faqs.es.toml").read_text()
    first, rest = faqs_es.split("[[faqs]]", 2)[1:]  # drop the first Spanish FAQ
    (content_dir / "faqs.es.toml").write_text("[[faqs]]" + rest)

    with unit_of_work():
        report = load_content(LANGUAGES, content_dir)
    assert report.updated == 2 and report.created == 0
    title = db.session.scalar(
        select(TipTranslation.title).join(Tip).where(
            Tip.slug == "be-yourself", TipTranslation.language == "en"))
    assert title == "Be your real self"
    spanish = db.session.scalar(select(func.count()).select_from(FaqTranslation).join(Faq)
                                .where(FaqTranslation.language == "es", Faq.agency_id.is_(None)))
    assert spanish == counts()[2] - 1


@pytest.mark.parametrize(("file", "old", "new", "message"), [
    ("tips.en.toml", 'slug = "reflect-back"\nnumber = 2', 'slug = "Reflect Back"\nnumber = 2',
     "slug"),
    ("faqs.en.toml", 'related_tips = ["be-yourself"', 'related_tips = ["no-such-tip"',
     "unknown related tips"),
    ("tips.es.toml", 'slug = "reflect-back"', 'slug = "reflejar"', "unknown slugs"),
    ("tips.en.toml", "[[tips]]", "[[tips]\n", "tips.en.toml"),
    ("topics.en.toml", 'related_tips = ["reflect-back"', 'related_tips = ["no-such-tip"',
     "unknown related tips"),
    ("topics.es.toml", 'slug = "feeling-heard"', 'slug = "sentirse-escuchado"', "unknown slugs"),
    ("topics.es.toml", "[guide]\ndistress", "[guide]\nangustia", "no distress guide"),
    ("topics.en.toml", 'deeper_questions = [\n', 'deeper_questions = [\n  "One?", "Two?",\n',
     "deeper_questions"),
])
def test_bad_content_is_refused_and_nothing_is_written(app_ctx, content_dir, file, old, new,
                                                       message):
    path = content_dir / file
    text = path.read_text()
    assert old in text, "the test's anchor text has gone from the content"
    path.write_text(text.replace(old, new, 1))
    # A valid edit elsewhere proves the whole load is rolled back, not just the bad part.
    other = content_dir / ("faqs.en.toml" if file.startswith("tips") else "tips.en.toml")
    other.write_text(other.read_text().replace("last_reviewed = 2026", "last_reviewed = 2025", 1))
    before = counts()
    with pytest.raises(ContentError, match=message), unit_of_work():
        load_content(LANGUAGES, content_dir)
    assert counts() == before
    with unit_of_work():
        loaded = load_content(LANGUAGES)
    assert loaded.updated == 0
