"""An agency's own tips, FAQs and group topics, as its admins write and read them."""

import marshmallow as ma

from api.lib.text import SLUG_PATTERN
from api.models.content import AUDIENCES
from api.schemas.common import BaseSchema, Name, Timestamp

STATUS = ma.fields.String(validate=ma.validate.OneOf(["draft", "published"]), metadata={
    "description": "Only published items are shown publicly, in this agency's lists."})


def _slug(**kwargs):
    return ma.fields.String(validate=[ma.validate.Length(min=1, max=80),
                                      ma.validate.Regexp(SLUG_PATTERN)],
                            metadata={"example": "before-a-first-visit"}, **kwargs)


def _lines(max_items: int, description: str):
    return ma.fields.List(Name(validate=ma.validate.Length(max=300)),
                          validate=ma.validate.Length(max=max_items), load_default=list,
                          metadata={"description": description})


class TipTextSchema(BaseSchema):
    title = Name(required=True, validate=ma.validate.Length(max=120))
    summary = Name(required=True, validate=ma.validate.Length(max=200))
    body = Name(required=True, validate=ma.validate.Length(max=5000), metadata={
        "description": "Plain text (no HTML or Markdown); paragraphs split by a blank line."})
    actions = _lines(10, "Things to try.")
    questions = _lines(10, "Open-ended questions to ask.")


class FaqTextSchema(BaseSchema):
    question = Name(required=True, validate=ma.validate.Length(max=200))
    answer = Name(required=True, validate=ma.validate.Length(max=5000),
                  metadata={"description": "Plain text (no HTML or Markdown)."})


class TopicTextSchema(BaseSchema):
    title = Name(required=True, validate=ma.validate.Length(max=120))
    opening_question = Name(required=True, validate=ma.validate.Length(max=300))
    deeper_questions = ma.fields.List(
        Name(validate=ma.validate.Length(max=300)), required=True,
        validate=ma.validate.Length(min=2, max=4),
        metadata={"description": "Two to four questions that go deeper."})
    guide_open = Name(required=True, validate=ma.validate.Length(max=2000), metadata={
        "description": "For whoever facilitates: how to open the talk."})
    guide_safety = Name(required=True, validate=ma.validate.Length(max=2000), metadata={
        "description": "How to keep the group safe."})
    guide_distress = Name(required=True, validate=ma.validate.Length(max=2000), metadata={
        "description": "What to do if someone becomes distressed: pause, a break, a quiet "
        "one-to-one check-in, crisis lines when someone may be in danger."})


class TipTextByLanguageSchema(BaseSchema):
    en = ma.fields.Nested(TipTextSchema, required=True)
    es = ma.fields.Nested(TipTextSchema, allow_none=True)


class FaqTextByLanguageSchema(BaseSchema):
    en = ma.fields.Nested(FaqTextSchema, required=True)
    es = ma.fields.Nested(FaqTextSchema, allow_none=True)


class TopicTextByLanguageSchema(BaseSchema):
    en = ma.fields.Nested(TopicTextSchema, required=True)
    es = ma.fields.Nested(TopicTextSchema, allow_none=True)


def _text_by_language(schema, required: bool = False):
    return ma.fields.Nested(schema, required=required, metadata={
        "description": "The words per language: English always (readers fall back to it), "
        "Spanish when you have it. Replaces every language's words."})


class _State(BaseSchema):
    status = STATUS
    last_reviewed = ma.fields.Date(metadata={"description": "Today when left out."})
    next_review = ma.fields.Date(allow_none=True, metadata={
        "description": "When someone should read it again."})


class _Common(_State):
    audience = ma.fields.String(validate=ma.validate.OneOf(AUDIENCES), metadata={
        "description": "Whom it is written for: `worker` (when left out on create) or `peer`."})


class AgencyTipUpdateSchema(_Common):
    number = ma.fields.Integer(validate=ma.validate.Range(min=1, max=10000), metadata={
        "description": "Place in your agency's list: your published tips come first, in "
        "this order, wherever your agency is named, then the core tips."})
    tags = ma.fields.List(ma.fields.String(validate=[ma.validate.Length(max=40),
                                                     ma.validate.Regexp(SLUG_PATTERN)]),
                          validate=ma.validate.Length(max=10))
    text = _text_by_language(TipTextByLanguageSchema)


class AgencyTipCreateSchema(AgencyTipUpdateSchema):
    slug = _slug(required=True)
    text = _text_by_language(TipTextByLanguageSchema, required=True)


class AgencyFaqUpdateSchema(_Common):
    position = ma.fields.Integer(validate=ma.validate.Range(min=1, max=10000))
    related_tips = ma.fields.List(_slug(), validate=ma.validate.Length(max=10), metadata={
        "description": "Slugs of core tips or of your own tips."})
    text = _text_by_language(FaqTextByLanguageSchema)


class AgencyFaqCreateSchema(AgencyFaqUpdateSchema):
    slug = _slug(required=True)
    text = _text_by_language(FaqTextByLanguageSchema, required=True)


class AgencyTopicUpdateSchema(_State):
    position = ma.fields.Integer(validate=ma.validate.Range(min=1, max=10000))
    related_tips = ma.fields.List(_slug(), validate=ma.validate.Length(max=10), metadata={
        "description": "Slugs of core tips or of your own tips."})
    tags = ma.fields.List(ma.fields.String(validate=[ma.validate.Length(max=40),
                                                     ma.validate.Regexp(SLUG_PATTERN)]),
                          validate=ma.validate.Length(max=10))
    text = _text_by_language(TopicTextByLanguageSchema)


class AgencyTopicCreateSchema(AgencyTopicUpdateSchema):
    slug = _slug(required=True)
    text = _text_by_language(TopicTextByLanguageSchema, required=True)


class _ShownState(ma.Schema):
    slug = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"enum": ["draft", "published"]})
    last_reviewed = ma.fields.Date(required=True, allow_none=True)
    next_review = ma.fields.Date(required=True, allow_none=True)
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)


class _Shown(_ShownState):
    audience = ma.fields.String(required=True, metadata={"enum": list(AUDIENCES)})


class AgencyTipSchema(_Shown):
    number = ma.fields.Integer(required=True)
    tags = ma.fields.List(ma.fields.String(), required=True)
    text = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(TipTextSchema),
                          required=True)


class AgencyFaqSchema(_Shown):
    position = ma.fields.Integer(required=True)
    related_tips = ma.fields.List(ma.fields.String(), required=True)
    text = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(FaqTextSchema),
                          required=True)



class AgencyTopicSchema(_ShownState):
    position = ma.fields.Integer(required=True)
    related_tips = ma.fields.List(ma.fields.String(), required=True)
    tags = ma.fields.List(ma.fields.String(), required=True)
    text = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(TopicTextSchema),
                          required=True)
