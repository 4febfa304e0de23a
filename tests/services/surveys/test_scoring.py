"""Survey scoring: worked examples with exact numbers, the flag rules at their edges, every
validation error, and Hypothesis properties (ranges, monotonicity, order, versions)."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.services.content.tips import TipAdvice
from api.services.surveys.scoring import (
    AnswerError,
    DimensionScore,
    Instrument,
    Item,
    Score,
    as_dict,
    noise_rule,
    noise_threshold,
    score,
)

# Deterministic runs: the same examples every time, no example database on disk.
PROPERTY = settings(derandomize=True, database=None, deadline=None, max_examples=200)

TIP_SLUGS = (
    "be-yourself", "reflect-back", "respect-culture", "set-goals-together",
    "ask-open-questions", "show-up-consistently", "use-humor-with-care", "grow-together",
    "celebrate-wins", "find-common-ground", "make-space-for-creativity",
)
SELF_CHECK_DIMENSIONS = {
    "be-yourself": "relationship", "reflect-back": "relationship",
    "respect-culture": "relationship", "set-goals-together": "goals",
    "ask-open-questions": "approach", "show-up-consistently": "relationship",
    "use-humor-with-care": "relationship", "grow-together": "goals",
    "celebrate-wins": "goals", "find-common-ground": "relationship",
    "make-space-for-creativity": "approach",
}
SELF_CHECK = Instrument(
    slug="rapport-self-check", version=1, scale_min=0, scale_max=4,
    items=tuple(Item(id=slug, dimension=SELF_CHECK_DIMENSIONS[slug], tip=slug)
                for slug in TIP_SLUGS))
SESSION_CHECK = Instrument(
    slug="session-check", version=1, scale_min=0, scale_max=10,
    items=(Item("heard", "relationship", None), Item("what-matters", "goals", None),
           Item("fits-me", "approach", None), Item("overall", "overall", None)))
# A later version with one item replaced: what old responses must not notice.
SESSION_CHECK_V2 = Instrument(
    slug="session-check", version=2, scale_min=0, scale_max=10,
    items=(Item("respected", "relationship", None), Item("what-matters", "goals", None),
           Item("fits-me", "approach", None), Item("overall", "overall", None)))
REGISTRY = {(i.slug, i.version): i for i in (SELF_CHECK, SESSION_CHECK, SESSION_CHECK_V2)}


def title(slug: str) -> str:
    return slug.replace("-", " ").capitalize()


TIPS = {slug: TipAdvice(slug=slug, title=title(slug), number=number,
                        action=f"Try this: {title(slug).lower()} once this week.")
        for number, slug in enumerate(TIP_SLUGS, start=1)}


def answers_for(instrument: Instrument, values) -> list[dict]:
    return [{"item": item.id, "value": value}
            for item, value in zip(instrument.items, values, strict=True)]


def session(heard, what_matters, fits_me, overall) -> list[dict]:
    return answers_for(SESSION_CHECK, (heard, what_matters, fits_me, overall))


@st.composite
def answered(draw, instruments=(SELF_CHECK, SESSION_CHECK)):
    """An instrument and a complete, valid list of values for it (in item order)."""
    instrument = draw(st.sampled_from(instruments))
    size = len(instrument.items)
    values = draw(st.lists(st.integers(instrument.scale_min, instrument.scale_max),
                           min_size=size, max_size=size))
    return instrument, values


def errors_of(instrument: Instrument, answers) -> dict[str, list[str]]:
    with pytest.raises(AnswerError) as caught:
        score(instrument, answers)
    return caught.value.errors


# Worked examples ---------------------------------------------------------------------------

SELF_CHECK_EXAMPLE = {
    "be-yourself": 3, "reflect-back": 1, "respect-culture": 4, "set-goals-together": 2,
    "ask-open-questions": 3, "show-up-consistently": 4, "use-humor-with-care": 2,
    "grow-together": 3, "celebrate-wins": 1, "find-common-ground": 3,
    "make-space-for-creativity": 2,
}


def test_worked_example_self_check():
    # Sent in reverse order: the result follows the instrument, not the request.
    answers = [{"item": k, "value": v} for k, v in reversed(SELF_CHECK_EXAMPLE.items())]
    result = as_dict(score(SELF_CHECK, answers, tips=TIPS))
    assert result == {
        "total": 28,
        "max": 44,
        "percent": 63.6,  # 28 / 44 = 63.636...
        "rated": 11, "of": 11,
        "practices": [{"item": slug, "tip": slug, "value": SELF_CHECK_EXAMPLE[slug], "max": 4}
                      for slug in TIP_SLUGS],
        "dimensions": [
            # 3 + 1 + 4 + 4 + 2 + 3 = 17 over 6 items: 2.833...
            {"dimension": "relationship", "total": 17, "max": 24, "mean": 2.83,
             "rated": 6, "of": 6},
            {"dimension": "goals", "total": 6, "max": 12, "mean": 2.0, "rated": 3, "of": 3},
            {"dimension": "approach", "total": 5, "max": 8, "mean": 2.5, "rated": 2, "of": 2},
        ],
        # Two 1s, then three 2s (tips 4, 7 and 11): tip 4 wins the tie.
        "weakest": [
            {"item": "reflect-back", "value": 1,
             "tip": {"slug": "reflect-back", "title": "Reflect back"},
             "action": "Try this: reflect back once this week."},
            {"item": "celebrate-wins", "value": 1,
             "tip": {"slug": "celebrate-wins", "title": "Celebrate wins"},
             "action": "Try this: celebrate wins once this week."},
            {"item": "set-goals-together", "value": 2,
             "tip": {"slug": "set-goals-together", "title": "Set goals together"},
             "action": "Try this: set goals together once this week."},
        ],
        "flag": False,
        "reasons": [],
    }
    assert json.loads(json.dumps(result)) == result


def test_worked_example_session_check():
    result = as_dict(score(SESSION_CHECK, session(9, 7, 8, 9), tips=TIPS, previous_total=39))
    assert result == {
        "total": 33,
        "max": 40,
        "percent": 82.5,
        "rated": 4, "of": 4,
        "practices": [
            {"item": "heard", "tip": None, "value": 9, "max": 10},
            {"item": "what-matters", "tip": None, "value": 7, "max": 10},
            {"item": "fits-me", "tip": None, "value": 8, "max": 10},
            {"item": "overall", "tip": None, "value": 9, "max": 10},
        ],
        "dimensions": [
            {"dimension": "relationship", "total": 9, "max": 10, "mean": 9.0, "rated": 1, "of": 1},
            {"dimension": "goals", "total": 7, "max": 10, "mean": 7.0, "rated": 1, "of": 1},
            {"dimension": "approach", "total": 8, "max": 10, "mean": 8.0, "rated": 1, "of": 1},
            {"dimension": "overall", "total": 9, "max": 10, "mean": 9.0, "rated": 1, "of": 1},
        ],
        "weakest": [],  # no item maps to a tip
        "flag": True,
        "reasons": ["total_below_cutoff", "item_below_cutoff", "drop_since_last"],
    }


def test_rounding_takes_halves_up():
    # Float round() would give 6.2 and 0.12 here (halves to even); scores round halves up.
    four = Instrument("four", 1, 0, 4, tuple(Item(f"i{n}", "goals") for n in range(4)))
    assert score(four, answers_for(four, (1, 0, 0, 0))).percent == 6.3  # 1 / 16 = 6.25%
    eight = Instrument("eight", 1, 0, 4, tuple(Item(f"i{n}", "goals") for n in range(8)))
    result = score(eight, answers_for(eight, (1, 0, 0, 0, 0, 0, 0, 0)))
    assert result.percent == 3.1  # 1 / 32 = 3.125%
    assert result.dimensions == (DimensionScore("goals", 1, 32, 0.13, 8, 8),)  # mean 0.125


def test_percent_counts_from_the_lowest_possible_total():
    instrument = Instrument("one-to-five", 1, 1, 5, (Item("a", "overall"), Item("b", "overall")))
    assert score(instrument, answers_for(instrument, (1, 1))).percent == 0.0
    assert score(instrument, answers_for(instrument, (3, 3))).percent == 50.0
    assert score(instrument, answers_for(instrument, (5, 5))).percent == 100.0


# The weakest three -------------------------------------------------------------------------


def test_weakest_ties_follow_tip_number_not_display_order():
    reversed_numbers = {slug: TipAdvice(slug, title(slug), 12 - advice.number, advice.action)
                        for slug, advice in TIPS.items()}
    result = score(SELF_CHECK, answers_for(SELF_CHECK, [2] * 11), tips=reversed_numbers)
    assert [w.item for w in result.weakest] == [
        "make-space-for-creativity", "find-common-ground", "celebrate-wins"]


def test_weakest_ties_on_the_same_tip_follow_item_id():
    instrument = Instrument("two-per-tip", 1, 0, 4, (
        Item("zeta", "relationship", "reflect-back"), Item("alpha", "relationship", "reflect-back"),
        Item("mid", "goals", "be-yourself"), Item("other", "goals", "celebrate-wins")))
    result = score(instrument, answers_for(instrument, (1, 1, 1, 0)), tips=TIPS)
    assert [(w.item, w.value) for w in result.weakest] == [
        ("other", 0), ("mid", 1), ("alpha", 1)]


def test_weakest_skips_tips_without_advice_and_may_be_shorter():
    tips = {slug: advice for slug, advice in TIPS.items() if slug != "reflect-back"}
    result = score(SELF_CHECK, [{"item": k, "value": v} for k, v in SELF_CHECK_EXAMPLE.items()],
                   tips=tips)
    assert [w.item for w in result.weakest] == [
        "celebrate-wins", "set-goals-together", "use-humor-with-care"]
    only_two = {slug: TIPS[slug] for slug in ("grow-together", "be-yourself")}
    result = score(SELF_CHECK, answers_for(SELF_CHECK, [4] * 11), tips=only_two)
    assert [w.item for w in result.weakest] == ["be-yourself", "grow-together"]


def test_no_weakest_without_tips_or_without_tipped_items():
    values = answers_for(SELF_CHECK, [0] * 11)
    assert score(SELF_CHECK, values).weakest == ()
    assert score(SELF_CHECK, values, tips={}).weakest == ()
    assert score(SESSION_CHECK, session(0, 0, 0, 0), tips=TIPS).weakest == ()


# The flag ----------------------------------------------------------------------------------


def test_a_total_of_35_flags_below_the_cutoff():
    result = score(SESSION_CHECK, session(9, 9, 9, 8))
    assert (result.total, result.flag, result.reasons) == (35, True, ("total_below_cutoff",))


def test_36_with_an_item_at_7_flags_the_item():
    result = score(SESSION_CHECK, session(7, 10, 9, 10))
    assert (result.total, result.flag, result.reasons) == (36, True, ("item_below_cutoff",))


def test_36_with_every_item_at_8_or_more_does_not_flag():
    result = score(SESSION_CHECK, session(9, 9, 8, 10))
    assert (result.total, result.flag, result.reasons) == (36, False, ())


def test_a_drop_of_exactly_5_flags():
    result = score(SESSION_CHECK, session(9, 9, 9, 8), previous_total=40)
    assert result.reasons == ("total_below_cutoff", "drop_since_last")
    # With the total cut-off set lower, the drop alone raises the flag.
    result = score(SESSION_CHECK, session(9, 9, 9, 8), previous_total=40, flag_total_below=30)
    assert (result.flag, result.reasons) == (True, ("drop_since_last",))


def test_a_drop_of_4_does_not_flag():
    result = score(SESSION_CHECK, session(9, 9, 9, 9), previous_total=40)
    assert (result.total, result.flag, result.reasons) == (36, False, ())


def test_a_rise_never_flags():
    assert not score(SESSION_CHECK, session(10, 10, 10, 10), previous_total=20).flag


def test_the_cutoffs_are_configurable():
    assert not score(SESSION_CHECK, session(9, 9, 9, 8), flag_total_below=30).flag
    result = score(SESSION_CHECK, session(9, 9, 9, 9), flag_item_below=10, flag_total_below=0)
    assert result.reasons == ("item_below_cutoff",)
    result = score(SESSION_CHECK, session(10, 10, 10, 8), previous_total=40, flag_drop=2)
    assert result.reasons == ("drop_since_last",)


def test_self_checks_never_flag():
    result = score(SELF_CHECK, answers_for(SELF_CHECK, [0] * 11), previous_total=44)
    assert (result.flag, result.reasons) == (False, ())


# Validation: every bad input is an AnswerError naming the field ------------------------------

VALID = session(9, 9, 9, 9)


def replace(index: int, **changes) -> list:
    answers = [dict(a) for a in VALID]
    answers[index] = {**answers[index], **changes}
    return answers


def without(index: int, key: str) -> list:
    answers = [dict(a) for a in VALID]
    del answers[index][key]
    return answers


@pytest.mark.parametrize(("answers", "keys"), [
    pytest.param(replace(0, value="9"), {"answers.0.value"}, id="value-string"),
    pytest.param(replace(1, value=True), {"answers.1.value"}, id="value-bool"),
    pytest.param(replace(1, value=9.0), {"answers.1.value"}, id="value-float"),
    pytest.param(replace(2, value=None), {"answers.2.value"}, id="value-null"),
    pytest.param(replace(3, value=11), {"answers.3.value"}, id="value-above-scale"),
    pytest.param(replace(3, value=-1), {"answers.3.value"}, id="value-below-scale"),
    pytest.param(without(3, "value"), {"answers.3.value"}, id="value-missing"),
    pytest.param(replace(2, item="trust"), {"answers.2.item", "answers"}, id="item-unknown"),
    pytest.param(replace(0, item="respected"), {"answers.0.item", "answers"},
                 id="item-of-another-version"),
    pytest.param(replace(0, item=5), {"answers.0.item", "answers"}, id="item-number"),
    pytest.param(replace(0, item=["heard"]), {"answers.0.item", "answers"}, id="item-list"),
    pytest.param(without(1, "item"), {"answers.1.item", "answers"}, id="item-missing"),
    pytest.param([*VALID, {"item": "heard", "value": 9}], {"answers.4.item"}, id="duplicate"),
    pytest.param(VALID[:3], {"answers"}, id="missing-item"),
    pytest.param([], {"answers"}, id="no-answers"),
    pytest.param([*VALID[:2], "fits-me", VALID[3]], {"answers.2", "answers"}, id="not-object"),
    pytest.param({"heard": 9}, {"answers"}, id="answers-object"),
    pytest.param(None, {"answers"}, id="answers-null"),
    pytest.param("heard", {"answers"}, id="answers-string"),
])
def test_each_bad_answer_names_its_field(answers, keys):
    errors = errors_of(SESSION_CHECK, answers)
    assert set(errors) == keys
    assert all(messages and all(isinstance(m, str) for m in messages)
               for messages in errors.values())


def test_missing_items_are_listed_by_id():
    errors = errors_of(SESSION_CHECK, [VALID[1]])
    assert errors == {"answers": ["Every item needs one answer; missing: heard, fits-me, overall."]}


def test_all_problems_are_reported_at_once():
    answers = [{"item": "heard", "value": 12}, {"item": "heard", "value": 3},
               {"item": "nope", "value": 1}]
    assert set(errors_of(SESSION_CHECK, answers)) == {
        "answers.0.value", "answers.1.item", "answers.2.item", "answers"}


@PROPERTY
@given(answered(), st.data())
def test_an_out_of_range_value_names_exactly_its_field(case, data):
    instrument, values = case
    index = data.draw(st.integers(0, len(values) - 1))
    values[index] = data.draw(st.integers(max_value=instrument.scale_min - 1)
                              | st.integers(min_value=instrument.scale_max + 1))
    assert set(errors_of(instrument, answers_for(instrument, values))) == {
        f"answers.{index}.value"}


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-20, 20) | st.floats(allow_nan=False)
    | st.text(max_size=5) | st.sampled_from([i.id for i in SESSION_CHECK.items]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=3),
    max_leaves=8)
ANSWER_LIKE = st.fixed_dictionaries({}, optional={
    "item": JSONISH | st.sampled_from([i.id for i in SESSION_CHECK.items]),
    "value": JSONISH | st.integers(0, 10)})


@PROPERTY
@given(JSONISH | st.lists(ANSWER_LIKE | JSONISH, max_size=6))
def test_any_input_scores_or_raises_answer_error(answers):
    try:
        result = score(SESSION_CHECK, answers)
    except AnswerError as error:
        assert error.errors
        assert all(key == "answers" or key.startswith("answers.") for key in error.errors)
    else:
        assert isinstance(result, Score)


def test_a_broken_instrument_is_refused():
    with pytest.raises(ValueError, match="needs items"):
        Instrument("empty", 1, 0, 4, ())
    with pytest.raises(ValueError, match="scale_min"):
        Instrument("flat", 1, 4, 4, (Item("a", "goals"),))
    with pytest.raises(ValueError, match="distinct"):
        Instrument("twice", 1, 0, 4, (Item("a", "goals"), Item("a", "approach")))


# Properties --------------------------------------------------------------------------------


@PROPERTY
@given(answered(), st.none() | st.integers(0, 40))
def test_totals_stay_within_range(case, previous_total):
    instrument, values = case
    result = score(instrument, answers_for(instrument, values), tips=TIPS,
                   previous_total=previous_total)
    count = len(instrument.items)
    assert instrument.scale_min * count <= result.total <= instrument.scale_max * count
    assert result.max == instrument.scale_max * count
    assert 0 <= result.percent <= 100
    assert sum(d.total for d in result.dimensions) == result.total == sum(values)
    assert all(instrument.scale_min <= d.mean <= instrument.scale_max for d in result.dimensions)
    assert [p.value for p in result.practices] == values
    assert result.flag == bool(result.reasons)


@PROPERTY
@given(answered(), st.data(), st.none() | st.integers(0, 40))
def test_raising_one_answer_never_lowers_a_score_nor_adds_a_flag(case, data, previous_total):
    instrument, values = case
    index = data.draw(st.integers(0, len(values) - 1))
    raised = list(values)
    if values[index] < instrument.scale_max:
        raised[index] = data.draw(st.integers(values[index] + 1, instrument.scale_max))
    before = score(instrument, answers_for(instrument, values), previous_total=previous_total)
    after = score(instrument, answers_for(instrument, raised), previous_total=previous_total)
    assert after.total >= before.total
    assert after.percent >= before.percent
    for old, new in zip(before.dimensions, after.dimensions, strict=True):
        assert old.dimension == new.dimension
        assert (new.total, new.mean) >= (old.total, old.mean)
    # Raising can clear a reason, never add one.
    assert set(after.reasons) <= set(before.reasons)
    assert after.flag <= before.flag


@PROPERTY
@given(answered(), st.data())
def test_answer_order_never_changes_the_result(case, data):
    instrument, values = case
    answers = answers_for(instrument, values)
    shuffled = data.draw(st.permutations(answers))
    expected = score(instrument, answers, tips=TIPS, previous_total=38)
    assert score(instrument, shuffled, tips=TIPS, previous_total=38) == expected
    assert score(instrument, list(reversed(answers)), tips=TIPS, previous_total=38) == expected


@PROPERTY
@given(answered(instruments=(SELF_CHECK,)))
def test_weakest_are_the_three_lowest_in_a_fixed_order(case):
    instrument, values = case
    result = score(instrument, answers_for(instrument, values), tips=TIPS)
    assert len(result.weakest) == 3
    keys = [(w.value, TIPS[w.tip_slug].number, w.item) for w in result.weakest]
    assert keys == sorted(keys)
    chosen = {w.item for w in result.weakest}
    others = [p for p in result.practices if p.item not in chosen]
    assert all((p.value, TIPS[p.tip].number) > keys[-1][:2] for p in others)
    assert all(w.tip_title == TIPS[w.tip_slug].title and w.action == TIPS[w.tip_slug].action
               for w in result.weakest)


@PROPERTY
@given(answered(instruments=(SESSION_CHECK,)), st.none() | st.integers(0, 40))
def test_old_versions_score_as_they_did(case, previous_total):
    _, values = case
    answers = answers_for(SESSION_CHECK, values)
    # v1 answers still score under v1 with v2 published (an HTTP test covers stored rows).
    assert score(REGISTRY[("session-check", 1)], answers).total == sum(values)
    # v1 answers given to v2: the retired item is unknown, the new one is missing.
    errors = errors_of(REGISTRY[("session-check", 2)], answers)
    assert set(errors) == {"answers.0.item", "answers"}
    assert "respected" in errors["answers"][0]
    # And the other way round.
    v2_answers = answers_for(SESSION_CHECK_V2, values)
    assert set(errors_of(SESSION_CHECK, v2_answers)) == {"answers.0.item", "answers"}


# Noise, for trends ---------------------------------------------------------------------------


def test_the_noise_rule_on_the_self_check_and_the_session_check():
    assert (noise_threshold(SELF_CHECK), noise_threshold(SELF_CHECK, 11)) == (2, 7)
    assert (noise_threshold(SESSION_CHECK), noise_threshold(SESSION_CHECK, 4)) == (5, 10)
    assert "one practice moves by 2 points or more" in noise_rule(SELF_CHECK)
    assert "total moves by 7 points or more" in noise_rule(SELF_CHECK)
    spanish = noise_rule(SELF_CHECK, "es")
    assert "2 puntos o más" in spanish and "7 puntos o más" in spanish
    # Plain words, no formula: no multiplication, root or decimal wobble for people to read.
    for words in (noise_rule(SELF_CHECK), spanish):
        assert not any(sign in words for sign in ("1.96", "×", " x ", "sqrt", "√", "0.7"))


@PROPERTY
@given(st.integers(-5, 5), st.integers(1, 20), st.integers(1, 60))
def test_noise_grows_with_the_items_and_the_scale_and_is_never_zero(low, width, items):
    narrow = Instrument("x", 1, low, low + width, (Item("a", "overall"),))
    wide = Instrument("x", 1, low, low + width + 1, (Item("a", "overall"),))
    assert 1 <= noise_threshold(narrow, items) <= noise_threshold(narrow, items + 1)
    assert noise_threshold(narrow, items) <= noise_threshold(wide, items)
    # Never more than the largest possible change: a real change can always be seen.
    assert noise_threshold(narrow, items) <= width * items
