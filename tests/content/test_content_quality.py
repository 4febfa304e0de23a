"""Our content rules: complete, in both languages, plain to read, and in our own words."""

import re
import tomllib
from pathlib import Path

import pytest
import textstat

from api.lib.content_files import CONTENT_DIR

_SEED = Path("shared") / "seed" / "000_1c3fea74641381bd.txt"
# Next to the checkout (../shared), or next to the folder of git worktrees (../../shared).
ARTICLE = next((p / _SEED for p in Path(__file__).resolve().parents[2:5] if (p / _SEED).exists()),
               Path(__file__).resolve().parents[3] / _SEED)
TAGS = {"trust", "listening", "culture", "goals", "questions", "consistency", "humor", "equality",
        "celebration", "connection", "creativity", "first-meeting", "boundaries", "repair",
        "self-care", "lapse", "privacy", "crisis", "harm-reduction", "remote"}
# Person-first, non-judgemental words: none of these, in any item, in either language.
UNWANTED = re.compile(r"\b(addicts?|clean|dirty|abusers?|non-?compliant|suffering from|"
                      r"adictos?|drogadict[oa]s?|limpi[oa]s?|suci[oa]s?|abusador(es|as?)?)\b",
                      re.IGNORECASE)
MAX_GRADE_EN = 8.0          # Flesch-Kincaid grade level
MIN_EASE_ES = 70.0          # Fernández-Huerta: 70+ reads as "fairly easy" (about grade 7)


def load(name: str) -> list[dict]:
    with (CONTENT_DIR / name).open("rb") as handle:
        return next(iter(tomllib.load(handle).values()))


TIPS = {lang: load(f"tips.{lang}.toml") for lang in ("en", "es")}
FAQS = {lang: load(f"faqs.{lang}.toml") for lang in ("en", "es")}


def tip_text(tip: dict) -> str:
    return " ".join([tip["title"], tip["summary"], tip["body"], *tip["actions"], *tip["questions"]])


def faq_text(faq: dict) -> str:
    return " ".join([faq["question"], faq["answer"]])


def test_the_articles_eleven_tips_then_more_for_workers_and_peers_each_complete():
    tips = TIPS["en"]
    workers = [t for t in tips if t.get("audience", "worker") == "worker"]
    peers = [t for t in tips if t.get("audience") == "peer"]
    numbers = [t["number"] for t in tips]
    assert numbers == sorted(set(numbers))  # unique, in file order: new tips go at the end
    assert [t["number"] for t in tips[:11]] == list(range(1, 12))  # the article's, in order
    assert all(t.get("audience", "worker") == "worker" for t in tips[:11])
    assert len(workers) > 11 and len(peers) >= 4
    assert len(workers) + len(peers) == len(tips)
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


def test_every_tip_is_reachable_from_at_least_two_faqs_for_the_same_reader():
    for audience in ("worker", "peer"):
        tips = {t["slug"] for t in TIPS["en"] if t.get("audience", "worker") == audience}
        faqs = [f for f in FAQS["en"] if f.get("audience", "worker") == audience]
        for faq in faqs:  # a worker's FAQ points to workers' tips, a peer's to peers'
            assert set(faq["related_tips"]) <= tips, faq["slug"]
        for slug in tips:
            linking = [f["slug"] for f in faqs if slug in f["related_tips"]]
            assert len(linking) >= 2, (slug, linking)


def test_a_lapse_sits_next_to_celebrating_wins():
    faqs = [f for f in FAQS["en"] if "a-lapse-does-not-erase-progress" in f["related_tips"]]
    assert any("celebrate-wins" in f["related_tips"] for f in faqs)


def test_words_are_person_first_and_free_of_judgement():
    for item in TIPS["en"] + TIPS["es"] + FAQS["en"] + FAQS["es"]:
        text = tip_text(item) if "summary" in item else faq_text(item)
        assert not UNWANTED.search(text), (item["slug"], UNWANTED.search(text).group())


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


def test_crisis_answer_points_to_988():
    crisis = [f for f in FAQS["en"] + FAQS["es"] if "988" in f["answer"]]
    assert len(crisis) >= 2  # in both languages


@pytest.mark.parametrize("item", TIPS["en"] + FAQS["en"], ids=lambda i: i["slug"])
def test_english_reads_at_grade_8_or_below(item):
    textstat.set_lang("en")
    text = tip_text(item) if "summary" in item else faq_text(item)
    assert textstat.flesch_kincaid_grade(text) <= MAX_GRADE_EN


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
