"""Our content rules: complete, in both languages, plain to read, and in our own words."""

import re
import tomllib

import pytest
import textstat

from api.lib.content_files import CONTENT_DIR
from tests.content import rules

ARTICLE = rules.find_article()
TAGS = {"trust", "listening", "culture", "goals", "questions", "consistency", "humor", "equality",
        "celebration", "connection", "creativity", "first-meeting", "boundaries", "repair",
        "self-care", "lapse", "privacy", "crisis", "harm-reduction", "remote"}
MAX_GRADE_EN = rules.MAX_GRADE_EN
MIN_EASE_ES = rules.MIN_EASE_ES


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


def tip_text(tip: dict) -> str:
    return " ".join([tip["title"], tip["summary"], tip["body"], *tip["actions"], *tip["questions"]])


def faq_text(faq: dict) -> str:
    return " ".join([faq["question"], faq["answer"]])


def topic_text(topic: dict, language: str) -> str:
    return " ".join([topic["title"], topic["opening_question"], *topic["deeper_questions"],
                     topic["guide_open"], topic["guide_safety"],
                     topic.get("guide_distress", DISTRESS[language])])


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


def test_crisis_answer_points_to_988():
    crisis = [f for f in FAQS["en"] + FAQS["es"] if "988" in f["answer"]]
    assert len(crisis) >= 2  # in both languages


# Every item of every content file (tips, FAQs, topics, crisis lines, whatever comes next),
# and every string of the app and the server: the rules of docs/content-style.md.
ITEMS = rules.content_items(CONTENT_DIR)
APP = rules.app_items()
TERMS = rules.forbidden_terms()
SLUGS = rules.slugs_by_kind(ITEMS)


def _id(item: rules.Item) -> str:
    return item.where


@pytest.mark.parametrize("item", ITEMS, ids=_id)
def test_each_item_is_easy_to_read(item):
    assert not rules.reading_problems(item), (item.where, rules.reading_problems(item))


def test_every_content_file_is_read_and_scored():
    kinds = {item.kind for item in ITEMS}
    assert {"tips", "faqs", "crisis"} <= kinds
    for path in CONTENT_DIR.glob("topics.*.toml"):  # group topics, once they exist
        assert any(item.where.startswith(path.name) for item in ITEMS), path.name
    scored = [i for i in ITEMS if len(rules.WORD.findall(i.text)) >= rules.MIN_WORDS_TO_SCORE]
    assert {i.language for i in scored} == {"en", "es"}
    assert len(scored) >= len(TIPS["en"]) * 2 + len(FAQS["en"]) * 2


@pytest.mark.skipif(ARTICLE is None, reason="source article (../shared/seed) not present")
@pytest.mark.parametrize("item", ITEMS + APP, ids=_id)
def test_no_run_of_8_words_is_taken_from_the_article(item):
    article = rules.runs(ARTICLE.read_text(encoding="utf-8"))
    assert not rules.copied_runs(item, article), item.where


def _shingles(text: str, size: int = 6) -> set[tuple[str, ...]]:
    return rules.runs(text, size)


@pytest.mark.skipif(ARTICLE is None, reason="source article (../shared/seed) not present")
def test_no_sentence_is_taken_from_the_article():
    # Tips and FAQs are rewrites of the article's own points: held to 6 words, not 8.
    article = _shingles(ARTICLE.read_text(encoding="utf-8"))
    for item in TIPS["en"] + FAQS["en"]:
        text = tip_text(item) if "summary" in item else faq_text(item)
        shared = _shingles(text) & article
        assert not shared, (item["slug"], [" ".join(s) for s in shared])
    for topic in TOPICS["en"]:
        shared = _shingles(topic_text(topic, "en")) & article
        assert not shared, (topic["slug"], [" ".join(s) for s in shared])


def test_the_style_guide_lists_the_words_we_do_not_use():
    assert len(TERMS) >= 20
    for term in ("addict", "non-compliant", "suffering from", "usted", "pareja de trabajo"):
        assert term in TERMS


@pytest.mark.parametrize("path", sorted(CONTENT_DIR.rglob("*.toml")),
                         ids=lambda p: str(p.relative_to(CONTENT_DIR)))
def test_content_files_use_none_of_the_words_we_do_not_use(path):
    assert not rules.forbidden_problems(path.read_text(encoding="utf-8"), TERMS), path.name


def test_the_app_and_server_use_none_of_the_words_we_do_not_use():
    found = {item.where: rules.forbidden_problems(item.text, TERMS) for item in APP}
    assert not {where: terms for where, terms in found.items() if terms}
    assert len(APP) > 200  # the app's strings were really read


@pytest.mark.parametrize("item", ITEMS, ids=_id)
def test_every_link_resolves(item):
    assert not rules.link_problems(item, SLUGS), (item.where, rules.link_problems(item, SLUGS))


def test_crisis_lines_link_to_https_sites_in_their_language():
    lines = [item for item in ITEMS if item.kind == "crisis"]
    assert {line.language for line in lines} >= {"en", "es"}
    for line in lines:
        assert line.data.get("url", "https://x.org").startswith("https://")
    spanish = next(line for line in lines if line.language == "es")
    assert "/es" in spanish.data["url"] and "AYUDA" in spanish.data["hours"]


PLANTED_EN = """
[[topics]]
slug = "planted"
title = "A planted bad item"
body = \"\"\"
Reflective listening is a powerful tool for building rapport in peer support. Notwithstanding
considerable institutional responsibilities, practitioners systematically operationalize
individualized interventions, characterizing noncompliant participants as an addict suffering
from unmanageable psychological vulnerabilities. See http://example.org/help and #/tips/gone.\"\"\"
related_tips = ["be-yourself", "no-such-tip"]
url = "https://user@988lifeline.org"
"""

PLANTED_ES = """
[[topics]]
slug = "planted"
title = "Un tema plantado"
body = \"\"\"
Usted debe considerar las circunstancias socioeconómicas extraordinariamente complejas que
caracterizan las interrelaciones institucionales contemporáneas, particularmente cuando la
pareja de trabajo experimenta dificultades comunicacionales significativas e imprevisibles
relacionadas con comportamientos aparentemente incomprensibles.\"\"\"
"""


def test_each_rule_fails_on_a_planted_bad_item(tmp_path):
    (tmp_path / "topics.en.toml").write_text(PLANTED_EN, encoding="utf-8")
    (tmp_path / "topics.es.toml").write_text(PLANTED_ES, encoding="utf-8")
    planted = rules.content_items(tmp_path)  # found with no list to update
    english, spanish = sorted(planted, key=lambda item: item.language)
    assert (english.where, spanish.where) == ("topics.en.toml#planted", "topics.es.toml#planted")

    assert rules.reading_problems(english) and rules.reading_problems(spanish)
    assert {"addict", "noncompliant", "suffering from"} <= set(
        rules.forbidden_problems(english.text, TERMS))
    assert {"usted", "pareja de trabajo"} <= set(rules.forbidden_problems(spanish.text, TERMS))
    assert not rules.forbidden_problems("addiction and ustedes are fine words", TERMS)
    problems = rules.link_problems(english, SLUGS)
    assert "tips: no 'no-such-tip'" in problems and "#/tips/gone leads nowhere" in problems
    assert any("not https" in p for p in problems) and any("no proper host" in p for p in problems)
    assert not any("be-yourself" in p for p in problems)
    if ARTICLE is not None:
        article = rules.runs(ARTICLE.read_text(encoding="utf-8"))
        assert rules.copied_runs(english, article)
        assert not rules.copied_runs(spanish, article)


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
