"""Survey instruments, answers and scores as the API shows and takes them."""

import marshmallow as ma

from api.schemas.common import BaseSchema, LanguageArgsSchema, StrictInteger, Text, Timestamp
from api.schemas.content import TipRefSchema


class ScaleSchema(ma.Schema):
    min = ma.fields.Integer(required=True)
    max = ma.fields.Integer(required=True)
    labels = ma.fields.List(ma.fields.String(), required=True, metadata={
        "description": "A label per point (self-check) or for the two ends (session-check)."})


class SurveyItemSchema(ma.Schema):
    id = ma.fields.String(required=True)
    text = ma.fields.String(required=True)
    dimension = ma.fields.String(required=True, metadata={
        "enum": ["relationship", "goals", "approach", "overall"]})
    tip = ma.fields.String(required=True, allow_none=True,
                           metadata={"description": "The tip this practice maps to."})


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
    version = ma.fields.Integer(
        validate=ma.validate.Range(min=1, max=1000),
        metadata={"description": "A past version; the newest when left out."})


class AnswerSchema(BaseSchema):
    item = Text(required=True, validate=ma.validate.Length(min=1, max=60))
    value = StrictInteger(required=True, validate=ma.validate.Range(min=0, max=10),
                          metadata={"description": "Within the instrument's scale."})


class AnswersSchema(BaseSchema):
    answers = ma.fields.List(ma.fields.Nested(AnswerSchema), required=True,
                             validate=ma.validate.Length(min=1, max=50))
    version = StrictInteger(validate=ma.validate.Range(min=1, max=1000), metadata={
        "description": "The version the answers were given to; the newest when left out."})


class PracticeSchema(ma.Schema):
    item = ma.fields.String(required=True)
    tip = ma.fields.String(required=True, allow_none=True)
    value = ma.fields.Integer(required=True)
    max = ma.fields.Integer(required=True)


class DimensionSchema(ma.Schema):
    dimension = ma.fields.String(required=True)
    total = ma.fields.Integer(required=True)
    max = ma.fields.Integer(required=True)
    mean = ma.fields.Float(required=True)


class WeakestSchema(ma.Schema):
    item = ma.fields.String(required=True)
    value = ma.fields.Integer(required=True)
    tip = ma.fields.Nested(TipRefSchema, required=True)
    action = ma.fields.String(required=True, metadata={"description": "One thing to try."})


class ScoreSchema(ma.Schema):
    total = ma.fields.Integer(required=True)
    max = ma.fields.Integer(required=True)
    percent = ma.fields.Float(required=True)
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
