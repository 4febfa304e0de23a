"""Survey instruments, answers and scores as the API shows and takes them."""

from datetime import date

import marshmallow as ma

from api.schemas.common import (
    BaseSchema,
    LanguageArgsSchema,
    QueryInteger,
    StrictInteger,
    Text,
    Timestamp,
)
from api.schemas.content import TipRefSchema

# Days a period may name: bounded so date arithmetic can never overflow.
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)
PERIOD_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2]|Q[1-4])$"


class ScaleSchema(ma.Schema):
    min = ma.fields.Integer(required=True)
    max = ma.fields.Integer(required=True)
    labels = ma.fields.List(ma.fields.String(), required=True, metadata={
        "description": "A label per point (self-check) or for the two ends (session-check)."})
    did_not_come_up = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "The label of the answer off the scale for a practice that did not "
        "come up (sent as `value: null`), on the items that offer it; null when no item does."})


class SurveyItemSchema(ma.Schema):
    id = ma.fields.String(required=True)
    text = ma.fields.String(required=True)
    dimension = ma.fields.String(required=True, metadata={
        "enum": ["relationship", "goals", "approach", "overall"]})
    tip = ma.fields.String(required=True, allow_none=True,
                           metadata={"description": "The tip this practice maps to."})
    did_not_come_up = ma.fields.Boolean(required=True, metadata={
        "description": "Whether this item offers the \"did not come up\" answer "
        "(`value: null`): a practice that may rightly not arise, left out of the total."})


class SurveySchema(ma.Schema):
    slug = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)
    audience = ma.fields.String(required=True, metadata={"enum": ["worker", "peer"]})
    language = ma.fields.String(required=True)
    fallback = ma.fields.Boolean(required=True)
    title = ma.fields.String(required=True)
    intro = ma.fields.String(required=True)
    scale = ma.fields.Nested(ScaleSchema, required=True)
    items = ma.fields.List(ma.fields.Nested(SurveyItemSchema), required=True)


class SurveyQueryArgsSchema(LanguageArgsSchema):
    version = QueryInteger(
        validate=ma.validate.Range(min=1, max=1000),
        metadata={"description": "A past version; the newest when left out."})


class AnswerSchema(BaseSchema):
    item = Text(required=True, validate=ma.validate.Length(min=1, max=60))
    value = StrictInteger(required=True, allow_none=True,
                          validate=ma.validate.Range(min=0, max=10), metadata={
                              "description": "Within the instrument's scale, or null for "
                              "\"did not come up\", only on items that offer it "
                              "(`did_not_come_up: true`); 422 on any other item."})


class AnswersSchema(BaseSchema):
    answers = ma.fields.List(ma.fields.Nested(AnswerSchema), required=True,
                             validate=ma.validate.Length(min=1, max=50))
    version = StrictInteger(validate=ma.validate.Range(min=1, max=1000), metadata={
        "description": "The version the answers were given to; the newest when left out."})


class RatedFields(ma.Schema):
    rated = ma.fields.Integer(required=True, metadata={
        "description": "How many practices were rated (not \"did not come up\")."})
    of = ma.fields.Integer(required=True, metadata={"description": "How many there are."})


class PracticeSchema(ma.Schema):
    item = ma.fields.String(required=True)
    tip = ma.fields.String(required=True, allow_none=True)
    value = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "null: did not come up (not counted)."})
    max = ma.fields.Integer(required=True)


class DimensionSchema(RatedFields):
    dimension = ma.fields.String(required=True)
    total = ma.fields.Integer(required=True, metadata={"description": "Of what was rated."})
    max = ma.fields.Integer(required=True, metadata={"description": "Of what was rated."})
    mean = ma.fields.Float(required=True, allow_none=True, metadata={
        "description": "null when none of its practices came up."})


class WeakestSchema(ma.Schema):
    item = ma.fields.String(required=True)
    value = ma.fields.Integer(required=True)
    tip = ma.fields.Nested(TipRefSchema, required=True)
    action = ma.fields.String(required=True, metadata={"description": "One thing to try."})


class ScoreSchema(RatedFields):
    total = ma.fields.Integer(required=True, metadata={
        "description": "The sum of the rated answers."})
    max = ma.fields.Integer(required=True, metadata={
        "description": "The highest total the rated practices could reach."})
    percent = ma.fields.Float(required=True, metadata={"description": "Of what was rated."})
    practices = ma.fields.List(ma.fields.Nested(PracticeSchema), required=True)
    dimensions = ma.fields.List(ma.fields.Nested(DimensionSchema), required=True)
    weakest = ma.fields.List(ma.fields.Nested(WeakestSchema), required=True)
    flag = ma.fields.Boolean(required=True, metadata={
        "description": "Session-checks: time to talk about how the work is going."})
    reasons = ma.fields.List(ma.fields.String(), required=True, metadata={
        "description": "total_below_cutoff, item_below_cutoff, drop_since_last"})


class ResponseCreateSchema(AnswersSchema):
    partnership_id = ma.fields.UUID(metadata={
        "description": "Session-checks: the partnership the session was part of."})
    share = ma.fields.String(validate=ma.validate.OneOf(["now", "aggregate_only"]), metadata={
        "description": "Session-checks: `now` lets your worker see it; `aggregate_only` keeps "
        "it out of their sight, in anonymous agency totals only."})


class StoredResponseSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    survey = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)
    partnership_id = ma.fields.UUID(required=True, allow_none=True)
    share = ma.fields.String(required=True, allow_none=True)
    answers = ma.fields.List(ma.fields.Dict(), required=True)
    score = ma.fields.Nested(ScoreSchema, required=True)
    created_at = Timestamp(required=True)


# A worker's trend -----------------------------------------------------------------------------


class TrendArgsSchema(LanguageArgsSchema):
    limit = ma.fields.Integer(load_default=26, validate=ma.validate.Range(min=1, max=100),
                              metadata={"description": "How many of the newest checks to show "
                                        "(26: a year of fortnightly checks)."})


class ChangeFields(ma.Schema):
    change = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "Since the check before; null for the first, after new questions, or "
        "when a practice did not come up in either. A total's change covers only the "
        "practices rated both times."})
    beyond_noise = ma.fields.Boolean(required=True, metadata={
        "description": "Whether the change is larger than ordinary wobble (see `noise`)."})


class TrendPracticeSchema(ChangeFields):
    item = ma.fields.String(required=True)
    tip = ma.fields.String(required=True, allow_none=True)
    value = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "null: did not come up (then no change either)."})
    max = ma.fields.Integer(required=True)


class TrendCheckSchema(ChangeFields, RatedFields):
    id = ma.fields.UUID(required=True)
    created_at = Timestamp(required=True)
    version = ma.fields.Integer(required=True)
    total = ma.fields.Integer(required=True)
    max = ma.fields.Integer(required=True)
    percent = ma.fields.Float(required=True, metadata={
        "description": "Of what was rated in this check, so checks compare like with like."})
    compared = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "How many practices `change` covers: those rated in this check and "
        "the one before (null for the first, or after new questions)."})
    practices = ma.fields.List(ma.fields.Nested(TrendPracticeSchema), required=True)


class NoiseSchema(ma.Schema):
    practice = ma.fields.Integer(required=True, metadata={
        "description": "The smallest change in one practice that counts as real."})
    total = ma.fields.Integer(required=True, metadata={
        "description": "The smallest change in the total that counts as real."})
    rule = ma.fields.String(required=True, metadata={
        "description": "The rule in plain words, in the asked-for language."})


class TrendSchema(ma.Schema):
    survey = ma.fields.String(required=True)
    noise = ma.fields.Nested(NoiseSchema, required=True)
    checks = ma.fields.List(ma.fields.Nested(TrendCheckSchema), required=True,
                            metadata={"description": "Oldest first."})


# The two-sided view of a partnership ----------------------------------------------------------


class DimensionPercentSchema(ma.Schema):
    dimension = ma.fields.String(required=True)
    percent = ma.fields.Float(required=True, metadata={"description": "0 to 100."})


class SelfCheckSummarySchema(ma.Schema):
    created_at = Timestamp(required=True)
    version = ma.fields.Integer(required=True)
    percent = ma.fields.Float(required=True)
    dimensions = ma.fields.List(ma.fields.Nested(DimensionPercentSchema), required=True)


class SharedCheckSchema(ma.Schema):
    created_at = Timestamp(required=True)
    version = ma.fields.Integer(required=True)
    total = ma.fields.Integer(required=True)
    max = ma.fields.Integer(required=True)
    percent = ma.fields.Float(required=True)
    flag = ma.fields.Boolean(required=True)
    reasons = ma.fields.List(ma.fields.String(), required=True)
    dimensions = ma.fields.List(ma.fields.Nested(DimensionPercentSchema), required=True)


class GapSchema(ma.Schema):
    dimension = ma.fields.String(required=True)
    worker_percent = ma.fields.Float(required=True, allow_none=True)
    peer_percent = ma.fields.Float(required=True, allow_none=True)
    gap = ma.fields.Float(required=True, allow_none=True, metadata={
        "description": "Peer minus worker, in points of 100; below zero, the peer feels it "
        "less than the worker thinks."})


class FaqRefSchema(ma.Schema):
    slug = ma.fields.String(required=True)
    question = ma.fields.String(required=True)


class RepairTipSchema(TipRefSchema):
    action = ma.fields.String(required=True, metadata={"description": "One thing to try."})


class RepairSchema(ma.Schema):
    dimension = ma.fields.String(required=True, metadata={
        "description": "The dimension the peer rated lowest in the flagged check."})
    faq = ma.fields.Nested(FaqRefSchema, required=True, allow_none=True)
    tips = ma.fields.List(ma.fields.Nested(RepairTipSchema), required=True)


class RapportViewSchema(ma.Schema):
    partnership_id = ma.fields.UUID(required=True)
    self_check = ma.fields.Nested(SelfCheckSummarySchema, required=True, allow_none=True,
                                  metadata={"description": "The worker's latest self-check, "
                                            "by dimension only; overall is the whole check."})
    session_checks = ma.fields.List(ma.fields.Nested(SharedCheckSchema), required=True,
                                    metadata={"description": "The peer's latest shared "
                                              "session-checks (up to 3), newest first."})
    dimensions = ma.fields.List(ma.fields.Nested(GapSchema), required=True, metadata={
        "description": "Both sides per dimension; the peer's is the mean of the checks shown."})
    flag = ma.fields.Boolean(required=True, metadata={
        "description": "The latest shared session-check says: talk about how it is going."})
    reasons = ma.fields.List(ma.fields.String(), required=True)
    repair = ma.fields.Nested(RepairSchema, required=True, allow_none=True, metadata={
        "description": "What to read and try, only when flagged: for the worker, how to mend "
                       "rapport; for the peer, what is written for them on saying so."})


# Agency insights ------------------------------------------------------------------------------


class InsightsArgsSchema(BaseSchema):
    period = ma.fields.String(
        validate=ma.validate.Regexp(PERIOD_PATTERN,
                                    error="Use a month (2026-11) or a quarter (2026-Q4)."),
        metadata={"description": "A calendar month (`2026-11`) or quarter (`2026-Q4`) that "
                  "has ended; the last month when left out.", "example": "2026-11"})

    @ma.validates("period")
    def _from_this_millennium(self, value, **kwargs):
        if value.endswith("\n"):  # the pattern's $ lets one trailing line break through
            raise ma.ValidationError("Use a month (2026-11) or a quarter (2026-Q4).")
        if not EARLIEST.year <= int(value[:4]) <= LATEST.year:
            raise ma.ValidationError(f"Must be between {EARLIEST.year} and {LATEST.year}.")


class InsightCountSchema(ma.Schema):
    estimate = ma.fields.Integer(required=True, metadata={
        "description": "How many people answered, with noise added."})
    low = ma.fields.Integer(required=True)
    high = ma.fields.Integer(required=True, metadata={
        "description": "`low` to `high`: where the true number lies, 9 times in 10."})


class InsightFigureFields(ma.Schema):
    percent = ma.fields.Float(required=True, allow_none=True, metadata={
        "description": "The group's mean on 0 to 100, with noise added; null when too few "
        "people answered."})
    low = ma.fields.Float(required=True, allow_none=True)
    high = ma.fields.Float(required=True, allow_none=True, metadata={
        "description": "`low` to `high`: where the true mean lies, 9 times in 10."})


class InsightDimensionSchema(InsightFigureFields):
    dimension = ma.fields.String(required=True)


class ScaleRangeSchema(ma.Schema):
    min = ma.fields.Integer(required=True)
    max = ma.fields.Integer(required=True)


class SurveyInsightsSchema(ma.Schema):
    survey = ma.fields.String(required=True)
    audience = ma.fields.String(required=True, metadata={"enum": ["worker", "peer"]})
    scale = ma.fields.Nested(ScaleRangeSchema, required=True)
    epsilon = ma.fields.Float(required=True, metadata={
        "description": "The privacy this survey's figures spent."})
    respondents = ma.fields.Nested(InsightCountSchema, required=True)
    enough_responses = ma.fields.Boolean(required=True, metadata={
        "description": "False when the noisy count of people is under `min_group_size`: "
        "then no other figure is shown."})
    dimensions = ma.fields.List(ma.fields.Nested(InsightDimensionSchema), required=True)
    all_items = ma.fields.Nested(InsightFigureFields, required=True, metadata={
        "description": "The whole survey: the dimensions weighted by their number of items."})


class InsightPrivacySchema(ma.Schema):
    epsilon = ma.fields.Float(required=True, metadata={
        "description": "What this release spent of each month's data (split between "
        "surveys that the same people answer)."})
    epsilon_per_month = ma.fields.Float(required=True, metadata={
        "description": "The most any month's data can ever spend: one month release and "
        "one quarter release."})
    interval = ma.fields.Float(required=True, metadata={
        "description": "How sure each `low`-`high` interval is (0.9: 9 times in 10)."})
    mechanism = ma.fields.String(required=True)
    protects = ma.fields.String(required=True)


class InsightsSchema(ma.Schema):
    agency_id = ma.fields.UUID(required=True)
    period = ma.fields.String(required=True, metadata={"example": "2026-11"})
    start = ma.fields.Date(required=True, data_key="from")
    end = ma.fields.Date(required=True, data_key="to")
    released_at = ma.fields.String(required=True, metadata={
        "format": "date-time", "description": "When these figures were made. They never "
        "change: asking again returns them as they are."})
    min_group_size = ma.fields.Integer(required=True)
    privacy = ma.fields.Nested(InsightPrivacySchema, required=True)
    surveys = ma.fields.List(ma.fields.Nested(SurveyInsightsSchema), required=True)
