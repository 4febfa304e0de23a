"""Self-check v2: "did not come up" (value None) is left out of the score, not scored 0."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.services.surveys import instruments
from api.services.surveys.scoring import (
    Instrument,
    Item,
    as_dict,
    noise_threshold,
    score,
)
from tests.services.surveys.test_scoring import (
    PROPERTY,
    SELF_CHECK,
    SELF_CHECK_DIMENSIONS,
    SESSION_CHECK,
    TIP_SLUGS,
    TIPS,
    errors_of,
)

MAY_NOT_ARISE = ("use-humor-with-care", "celebrate-wins", "make-space-for-creativity")
SELF_CHECK_V2 = Instrument(
    slug="rapport-self-check", version=2, scale_min=0, scale_max=4,
    items=tuple(Item(id=slug, dimension=SELF_CHECK_DIMENSIONS[slug], tip=slug,
                     did_not_come_up=slug in MAY_NOT_ARISE) for slug in TIP_SLUGS))


def answers(values: dict) -> list[dict]:
    return [{"item": item, "value": value} for item, value in values.items()]


@st.composite
def mixed(draw):
    """Values for v2: each skippable item is rated or did not come up, at random."""
    values = {}
    for item in SELF_CHECK_V2.items:
        if item.did_not_come_up and draw(st.booleans()):
            values[item.id] = None
        else:
            values[item.id] = draw(st.integers(0, 4))
    return values


def test_the_published_v2_offers_did_not_come_up_where_a_practice_may_not_arise():
    path = instruments.SURVEY_DIR / "rapport-self-check.v2.toml"
    facts, definition = instruments._definition(path, ("en", "es"), set(TIP_SLUGS))
    assert facts["version"] == 2
    assert tuple(i["id"] for i in definition["items"] if i.get("did_not_come_up")) == (
        "use-humor-with-care", "celebrate-wins", "make-space-for-creativity")
    assert definition["text"]["en"]["labels"][0] == "Never"
    assert definition["text"]["es"]["labels"][0] == "Nunca"
    assert definition["text"]["es"]["did_not_come_up"] == "No se dio"
    # v1 loads to the definition it was published with: no new key appears in it.
    _, old = instruments._definition(path.with_name("rapport-self-check.v1.toml"),
                                     ("en", "es"), set(TIP_SLUGS))
    assert all(set(i) == {"id", "dimension", "tip"} for i in old["items"])


def test_a_worker_who_did_not_joke_is_not_scored_zero_or_told_to_start_there():
    values = dict.fromkeys(TIP_SLUGS, 3) | {"use-humor-with-care": None, "reflect-back": 2}
    result = as_dict(score(SELF_CHECK_V2, answers(values), tips=TIPS))
    assert (result["total"], result["max"], result["rated"], result["of"]) == (29, 40, 10, 11)
    assert result["percent"] == 72.5
    humour = next(p for p in result["practices"] if p["item"] == "use-humor-with-care")
    assert humour["value"] is None
    assert "use-humor-with-care" not in [w["item"] for w in result["weakest"]]
    assert result["weakest"][0]["item"] == "reflect-back"
    relationship = result["dimensions"][0]
    # 3 + 2 + 3 + 3 + 3 over the five of its six practices that were rated
    assert relationship == {"dimension": "relationship", "total": 14, "max": 20, "mean": 2.8,
                            "rated": 5, "of": 6}


def test_a_dimension_where_nothing_came_up_has_no_mean():
    only = Instrument("two", 1, 0, 4, (Item("a", "goals"),
                                        Item("b", "approach", did_not_come_up=True)))
    result = score(only, [{"item": "a", "value": 4}, {"item": "b", "value": None}])
    assert [(d.dimension, d.total, d.max, d.mean, d.rated, d.of) for d in result.dimensions] == [
        ("goals", 4, 4, 4.0, 1, 1), ("approach", 0, 0, None, 0, 1)]
    assert (result.total, result.max, result.percent) == (4, 4, 100.0)


def test_did_not_come_up_is_refused_on_an_item_that_does_not_offer_it():
    values = dict.fromkeys(TIP_SLUGS, 2) | {"be-yourself": None}
    assert errors_of(SELF_CHECK_V2, answers(values)) == {"answers.0.value": [
        "'be-yourself' has no \"did not come up\" answer: choose from 0 to 4."]}
    # Version 1 never had it, on any item.
    values = dict.fromkeys(TIP_SLUGS, 2) | {"use-humor-with-care": None}
    assert errors_of(SELF_CHECK, answers(values)) == {"answers.6.value": [
        "'use-humor-with-care' has no \"did not come up\" answer: choose from 0 to 4."]}
    assert "answers.0.value" in errors_of(SESSION_CHECK, [
        {"item": "heard", "value": None}, {"item": "what-matters", "value": 5},
        {"item": "fits-me", "value": 5}, {"item": "overall", "value": 5}])


def test_an_instrument_where_everything_may_not_come_up_is_refused():
    with pytest.raises(ValueError, match="always be rated"):
        Instrument("none", 1, 0, 4, (Item("a", "goals", did_not_come_up=True),))


def test_v1_answers_score_the_same_as_before_under_v1():
    values = dict.fromkeys(TIP_SLUGS, 1) | {"use-humor-with-care": 0}
    result = score(SELF_CHECK, answers(values), tips=TIPS)
    assert (result.total, result.max, result.rated, result.of) == (10, 44, 11, 11)
    assert result.weakest[0].item == "use-humor-with-care"


@PROPERTY
@given(mixed())
def test_unrated_practices_are_left_out_of_total_max_and_weakest(values):
    result = score(SELF_CHECK_V2, answers(values), tips=TIPS)
    rated = {item: value for item, value in values.items() if value is not None}
    assert result.rated == len(rated) and result.of == 11
    assert result.total == sum(rated.values())
    assert result.max == 4 * len(rated)
    assert result.percent == pytest.approx(float(Fraction(100 * sum(rated.values()),
                                                          4 * len(rated))), abs=0.0501)
    assert all(w.item in rated for w in result.weakest)
    assert len(result.weakest) == min(3, len(rated))
    assert sum(d.rated for d in result.dimensions) == result.rated
    assert sum(d.of for d in result.dimensions) == 11
    assert sum(d.total for d in result.dimensions) == result.total
    assert sum(d.max for d in result.dimensions) == result.max
    assert [p.value for p in result.practices] == [values[i] for i in TIP_SLUGS]


@PROPERTY
@given(mixed(), st.integers(0, 4))
def test_not_coming_up_never_lowers_the_percent_below_what_a_zero_would(values, zero_or_more):
    # Scoring "did not come up" as the lowest answer is what v1 did by accident; leaving it
    # out can only keep the percent the same or raise it compared with scoring it 0.
    unrated = [item for item, value in values.items() if value is None]
    left_out = score(SELF_CHECK_V2, answers(values)).percent
    as_zero = score(SELF_CHECK_V2, answers(values | dict.fromkeys(unrated, 0))).percent
    assert left_out >= as_zero


@PROPERTY
@given(mixed())
def test_the_order_of_answers_never_changes_a_mixed_score(values):
    forward = as_dict(score(SELF_CHECK_V2, answers(values), tips=TIPS))
    backward = as_dict(score(SELF_CHECK_V2, list(reversed(answers(values))), tips=TIPS))
    assert forward == backward


def test_fewer_compared_practices_need_a_smaller_total_change():
    assert noise_threshold(SELF_CHECK_V2, 11) == 7
    assert noise_threshold(SELF_CHECK_V2, 8) == 6
