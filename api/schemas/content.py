"""Tips, FAQs and group discussion topics as the API shows them."""

import marshmallow as ma

from api.lib.text import SLUG_PATTERN
from api.models.content import AUDIENCES
from api.schemas.common import BaseSchema, LanguageArgsSchema, PagedLanguageArgsSchema, Text


class TipRefSchema(ma.Schema):
    slug = ma.fields.String(required=True)
    title = ma.fields.String(required=True)


class AgencyRefSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True)


class TipSchema(ma.Schema):
    slug = ma.fields.String(required=True, metadata={"example": "reflect-back"})
    number = ma.fields.Integer(
        required=True, metadata={"description": "Position among the tips, from 1."}
    )
    title = ma.fields.String(required=True)
    summary = ma.fields.String(required=True, metadata={"description": "At most 200 characters."})
    body = ma.fields.String(
        required=True, metadata={"description": "Plain text; paragraphs split by a blank line."}
    )
    actions = ma.fields.List(
        ma.fields.String(), required=True, metadata={"description": "Things to try."}
    )
    questions = ma.fields.List(
        ma.fields.String(), required=True,
        metadata={"description": "Open-ended questions to ask."},
    )
    tags = ma.fields.List(
        ma.fields.String(), required=True,
        metadata={"description": "Language-neutral tag keys, usable as `tag=`."},
    )
    audience = ma.fields.String(
        required=True, metadata={"description": "Whom it is written for: `worker` or `peer`."})
    language = ma.fields.String(
        required=True, metadata={"description": "Language this item's text is in."}
    )
    fallback = ma.fields.Boolean(
        required=True,
        metadata={"description": "True when the requested language was missing and this "
                  "item is shown in English instead."},
    )
    last_reviewed = ma.fields.Date(required=True)
    agency = ma.fields.Nested(
        AgencyRefSchema, required=True, allow_none=True,
        metadata={"description": "The agency that wrote this tip; null for core tips."},
    )


class FaqSchema(ma.Schema):
    slug = ma.fields.String(required=True, metadata={"example": "what-is-rapport"})
    position = ma.fields.Integer(required=True)
    question = ma.fields.String(required=True)
    answer = ma.fields.String(required=True)
    related_tips = ma.fields.List(ma.fields.Nested(TipRefSchema), required=True)
    audience = ma.fields.String(
        required=True, metadata={"description": "Whom it is written for: `worker` or `peer`."})
    language = ma.fields.String(required=True)
    fallback = ma.fields.Boolean(required=True)
    last_reviewed = ma.fields.Date(required=True)
    agency = ma.fields.Nested(
        AgencyRefSchema, required=True, allow_none=True,
        metadata={"description": "The agency that wrote this FAQ; null for core FAQs."},
    )


class FacilitatorGuideSchema(ma.Schema):
    how_to_open = ma.fields.String(required=True)
    keep_it_safe = ma.fields.String(required=True)
    if_someone_is_distressed = ma.fields.String(
        required=True, metadata={"description": "Pause, offer a break, check in one to one; "
                                 "crisis lines (988 in the US) when someone may be in danger."})


class TopicSchema(ma.Schema):
    slug = ma.fields.String(required=True, metadata={"example": "what-trust-means"})
    position = ma.fields.Integer(
        required=True, metadata={"description": "Position among the topics, from 1."})
    title = ma.fields.String(required=True)
    opening_question = ma.fields.String(
        required=True, metadata={"description": "The question that opens the group's talk."})
    deeper_questions = ma.fields.List(
        ma.fields.String(), required=True,
        metadata={"description": "Two to four questions that take the talk a little deeper."})
    guide = ma.fields.Nested(
        FacilitatorGuideSchema, required=True,
        metadata={"description": "For whoever facilitates: how to open, how to keep the "
                  "group safe, and what to do if someone becomes distressed."})
    related_tips = ma.fields.List(
        ma.fields.Nested(TipRefSchema), required=True,
        metadata={"description": "The tips this topic draws on."})
    tags = ma.fields.List(
        ma.fields.String(), required=True,
        metadata={"description": "Language-neutral tag keys, usable as `tag=`."},
    )
    language = ma.fields.String(required=True)
    fallback = ma.fields.Boolean(required=True)
    last_reviewed = ma.fields.Date(required=True)
    agency = ma.fields.Nested(
        AgencyRefSchema, required=True, allow_none=True,
        metadata={"description": "The agency that wrote this topic; null for core topics."},
    )


class _SearchArgs(BaseSchema):
    q = Text(
        validate=ma.validate.Length(min=1, max=200),
        metadata={"description": "Words to look for; every word must appear. Case and "
                  "accents do not matter."},
    )


class AgencyArgs(BaseSchema):
    agency = ma.fields.UUID(metadata={
        "description": "Also show this agency's published items, first (in the agency's "
        "order), then the core ones; or after the core ones, if the agency chose so "
        "(`own_content_first`). Left out, an `X-API-Key` names its own agency."})


class AudienceArgs(BaseSchema):
    audience = ma.fields.String(
        load_default="worker", validate=ma.validate.OneOf(AUDIENCES),
        metadata={"description": "Whom the items are written for: `worker` (peer support "
                  "workers) or `peer` (the people they support)."})


class TipQueryArgsSchema(PagedLanguageArgsSchema, _SearchArgs, AgencyArgs, AudienceArgs):
    tag = ma.fields.String(
        validate=[ma.validate.Length(max=40), ma.validate.Regexp(SLUG_PATTERN)],
        metadata={"description": "Only tips with this tag.", "example": "listening"},
    )


class TopicQueryArgsSchema(PagedLanguageArgsSchema, _SearchArgs, AgencyArgs):
    tag = ma.fields.String(
        validate=[ma.validate.Length(max=40), ma.validate.Regexp(SLUG_PATTERN)],
        metadata={"description": "Only topics with this tag.", "example": "trust"},
    )


class ContentArgsSchema(LanguageArgsSchema, AgencyArgs):
    pass


class TipOfTheDayArgsSchema(LanguageArgsSchema, AgencyArgs, AudienceArgs):
    day = ma.fields.Date(
        data_key="date",
        metadata={"description": "UTC day (YYYY-MM-DD); today when left out."}
    )


class FaqQueryArgsSchema(PagedLanguageArgsSchema, _SearchArgs, AgencyArgs, AudienceArgs):
    pass
