"""Our content rules: complete, in both languages, plain to read, and in our own words."""

import re
import tomllib
from pathlib import Path

import pytest
import textstat

from api.lib.content_files import CONTENT_DIR

_SEED = Path("shared") / "seed" / "000_1c3fea74641381bd.txt"
# Beside the checkout (../shared), found from a git worktree deeper down too.
ARTICLE = next((p / _SEED for p in Path(__file__).resolve().parents if (p / _SEED).exists()),
               Path(__file__).resolve().parents[3] / _SEED)
TAGS = {"trust", "listening", "culture", "goals", "questions", "consistency", "humor", "equality",
        "celebration", "connection", "creativity", "first-meeting", "boundaries", "repair"}
MAX_GRADE_EN = 8.0          # Flesch-Kincaid grade level
MIN_EASE_ES = 70.0          # Fernández-Huerta: 70+ reads as "fairly easy" (about grade 7)


def load(name: str) -> list[dict]:
    with (CONTENT_DIR / name).open("rb") as handle:
        return next(iter(tomllib.load(handle).values()))


TIPS = {lang: load(f"tips.{lang}.toml") for lang in ("en", "es")}
FAQS = {lang: load(f"faqs.{lang}.toml") for lang in ("en", "es")}


def load_topics(language: str) -> tuple[list[dict], str]:
    """A language's topics, and the distress steps its file gives every topic."""
    with (CONTENT_DIR / f"topics.{language}.toml").open("rb") as handle:
        data = tomllib.load(handle)
    return data["topics"], data["guide"]["distress"]


TOPICS = {lang: load_topics(lang)[0] for lang in ("en", "es")}
DISTRESS = {lang: load_topics(lang)[1] for lang in ("en", "es")}
# Words that label people by a condition or judge them; we say "person in recovery".
LABELS = re.compile(r"\b(addicts?|clean|dirty|abusers?|junkies?|alcoholics?|drunks?)\b",
                    re.IGNORECASE)


def tip_text(tip: dict) -> str:
    return " ".join([tip["title"], tip["summary"], tip["body"], *tip["actions"], *tip["questions"]])


def faq_text(faq: dict) -> str:
    return " ".join([faq["question"], faq["answer"]])


def topic_text(topic: dict, language: str) -> str:
    return " ".join([topic["title"], topic["opening_question"], *topic["deeper_questions"],
                     topic["guide_open"], topic["guide_safety"],
                     topic.get("guide_distress", DISTRESS[language])])


def test_eleven_tips_for_workers_then_tips_for_peers_each_complete():
    tips = TIPS["en"]
    workers = [t for t in tips if t.get("audience", "worker") == "worker"]
    peers = [t for t in tips if t.get("audience") == "peer"]
    assert [t["number"] for t in workers] == list(range(1, 12))
    assert [t["number"] for t in peers] == list(range(12, 12 + len(peers)))
    assert len(peers) >= 4 and len(workers) + len(peers) == len(tips)
    for tip in tips:
        assert len(tip["summary"]) <= 200
        assert len(tip["actions"]) >= 3
        assert len(tip["questions"]) >= 2
        assert set(tip["tags"]) <= TAGS
        assert tip["last_reviewed"]


def test_questions_are_open_ended():
    closed_openers = re.compile(r"^(do|does|did|is|are|was|were|can|could|will|would|have|has)\b",
                                re.IGNORECASE)
    for tip in TIPS["en"]:
        for question in tip["questions"]:
            assert not closed_openers.match(question), question


def test_article_faqs_plus_at_least_eight_of_ours():
    faqs = FAQS["en"]
    assert sum(f["source"] == "article" for f in faqs) == 4
    assert sum(f["source"] == "rapport" for f in faqs) >= 8
    tip_slugs = {t["slug"] for t in TIPS["en"]}
    for faq in faqs:
        assert faq["related_tips"] and set(faq["related_tips"]) <= tip_slugs


def test_people_supported_have_their_own_faqs():
    peers = [f for f in FAQS["en"] if f.get("audience") == "peer"]
    assert len(peers) >= 5
    peer_tips = {t["slug"] for t in TIPS["en"] if t.get("audience") == "peer"}
    for faq in peers:  # a peer's FAQ points to tips written for them, not to worker training
        assert set(faq["related_tips"]) <= peer_tips, faq["slug"]


def test_spanish_covers_every_item_with_the_same_shape():
    assert [t["slug"] for t in TIPS["es"]] == [t["slug"] for t in TIPS["en"]]
    assert [f["slug"] for f in FAQS["es"]] == [f["slug"] for f in FAQS["en"]]
    for en, es in zip(TIPS["en"], TIPS["es"], strict=True):
        assert len(es["summary"]) <= 200
        assert len(es["actions"]) == len(en["actions"])
        assert len(es["questions"]) == len(en["questions"])
        assert es["title"] != en["title"]


def test_at_least_fourteen_group_topics_each_complete_and_linked_to_real_tips():
    topics = TOPICS["en"]
    assert len(topics) >= 14
    assert [t["position"] for t in topics] == list(range(1, len(topics) + 1))
    tip_slugs = {t["slug"] for t in TIPS["en"]}
    for topic in topics:
        assert 2 <= len(topic["deeper_questions"]) <= 4, topic["slug"]
        assert topic["related_tips"] and set(topic["related_tips"]) <= tip_slugs, topic["slug"]
        assert set(topic["tags"]) <= TAGS
        assert topic["guide_open"] and topic["guide_safety"] and topic["last_reviewed"]


def test_topics_in_spanish_cover_every_topic_with_the_same_shape():
    assert [t["slug"] for t in TOPICS["es"]] == [t["slug"] for t in TOPICS["en"]]
    for en, es in zip(TOPICS["en"], TOPICS["es"], strict=True):
        assert len(es["deeper_questions"]) == len(en["deeper_questions"])
        assert es["title"] != en["title"]


def test_topic_questions_are_open_ended():
    closed_openers = re.compile(r"^(do|does|did|is|are|was|were|can|could|will|would|have|has)\b",
                                re.IGNORECASE)
    for topic in TOPICS["en"]:
        for question in [topic["opening_question"], *topic["deeper_questions"]]:
            assert question.endswith("?"), question
            assert not closed_openers.match(question), question


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_distress_guide_pauses_checks_in_and_gives_988(language):
    steps = DISTRESS[language].lower()
    assert "988" in steps
    words = {"en": ("pause", "break", "one to one", "never push"),
             "es": ("pausa", "descanso", "a solas", "nunca presiones")}[language]
    for word in words:
        assert word in steps, word


def test_spanish_topics_use_our_terms():
    text = " ".join(topic_text(t, "es") for t in TOPICS["es"]).lower()
    assert "grupo" in text
    for wrong in ("usted", "facilitador", "moderador"):  # tú, and "quien facilita"
        assert wrong not in text, wrong


def test_content_is_person_first():
    texts = [tip_text(t) for t in TIPS["en"]] + [faq_text(f) for f in FAQS["en"]] + [
        topic_text(t, "en") for t in TOPICS["en"]]
    for text in texts:
        assert not LABELS.search(text), LABELS.search(text)


def test_crisis_answer_points_to_988():
    crisis = [f for f in FAQS["en"] + FAQS["es"] if "988" in f["answer"]]
    assert len(crisis) >= 2  # in both languages


@pytest.mark.parametrize("item", TIPS["en"] + FAQS["en"], ids=lambda i: i["slug"])
def test_english_reads_at_grade_8_or_below(item):
    textstat.set_lang("en")
    text = tip_text(item) if "summary" in item else faq_text(item)
    assert textstat.flesch_kincaid_grade(text) <= MAX_GRADE_EN


@pytest.mark.parametrize("topic", TOPICS["en"], ids=lambda t: t["slug"])
def test_english_topics_read_at_grade_8_or_below(topic):
    textstat.set_lang("en")
    assert textstat.flesch_kincaid_grade(topic_text(topic, "en")) <= MAX_GRADE_EN


@pytest.mark.parametrize("topic", TOPICS["es"], ids=lambda t: t["slug"])
def test_spanish_topics_are_easy_to_read(topic):
    textstat.set_lang("es")
    try:
        assert textstat.fernandez_huerta(topic_text(topic, "es")) >= MIN_EASE_ES
    finally:
        textstat.set_lang("en")


@pytest.mark.parametrize("item", TIPS["es"] + FAQS["es"], ids=lambda i: i["slug"])
def test_spanish_is_easy_to_read(item):
    textstat.set_lang("es")
    text = tip_text(item) if "summary" in item else faq_text(item)
    try:
        assert textstat.fernandez_huerta(text) >= MIN_EASE_ES
    finally:
        textstat.set_lang("en")


def _shingles(text: str, size: int = 6) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9']+", text.lower().replace("’", "'"))
    return {tuple(words[i:i + size]) for i in range(len(words) - size + 1)}


@pytest.mark.skipif(not ARTICLE.exists(), reason="source article (../shared/seed) not present")
def test_no_sentence_is_taken_from_the_article():
    article = _shingles(ARTICLE.read_text())
    for item in TIPS["en"] + FAQS["en"]:
        text = tip_text(item) if "summary" in item else faq_text(item)
        shared = _shingles(text) & article
        assert not shared, (item["slug"], [" ".join(s) for s in shared])
    for topic in TOPICS["en"]:
        shared = _shingles(topic_text(topic, "en")) & article
        assert not shared, (topic["slug"], [" ".join(s) for s in shared])


def _survey_text(slug: str, language: str) -> str:
    suffix = "" if language == "en" else f".{language}"
    with (CONTENT_DIR / "surveys" / f"{slug}.v1{suffix}.toml").open("rb") as handle:
        data = tomllib.load(handle)
    return " ".join([data[language]["intro"], *(i[language] for i in data["items"])])


@pytest.mark.parametrize("slug", ["rapport-self-check", "session-check"])
def test_survey_wording_is_easy_to_read_in_both_languages(slug):
    textstat.set_lang("en")
    assert textstat.flesch_kincaid_grade(_survey_text(slug, "en")) <= MAX_GRADE_EN
    textstat.set_lang("es")
    try:
        assert textstat.fernandez_huerta(_survey_text(slug, "es")) >= MIN_EASE_ES
    finally:
        textstat.set_lang("en")
