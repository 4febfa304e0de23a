"""Webhook endpoints and their delivery log as the API shows them: the signing secret once,
when made or rotated, then never again."""

import marshmallow as ma

from api.schemas.common import BaseSchema, PagedArgsSchema, StrictBoolean, Text, Timestamp

# Kept here (schemas never import services); api.services.webhooks.events says who hears which.
EVENT_TYPES = ("content.published", "partnership.created", "partnership.ended",
               "goal.achieved", "checkin.overdue")

_url = dict(validate=ma.validate.Length(min=1, max=2048), metadata={
    "description": "Where to post: https only, a public address (no user name or password). "
    "Redirects are not followed.", "example": "https://hooks.example.org/rapport"})
_events = dict(
    validate=ma.validate.Length(min=1, max=len(EVENT_TYPES)),
    metadata={"description": "What to hear about. An agency endpoint: content.published, "
              "partnership.created, partnership.ended. An app's endpoint: partnership.created, "
              "partnership.ended, goal.achieved, checkin.overdue.",
              "example": ["content.published"]})
_description = dict(allow_none=True, validate=ma.validate.Length(max=200),
                    metadata={"example": "Our CRM"})


class WebhookCreateSchema(BaseSchema):
    url = Text(required=True, **_url)
    event_types = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(EVENT_TYPES)),
                                 required=True, **_events)
    description = Text(**_description)
    client_id = ma.fields.UUID(allow_none=True, metadata={
        "description": "Register it for one of your agency's OAuth apps (its id): it then "
        "hears only about partnerships where a member granted that app goals:read."})


class WebhookUpdateSchema(BaseSchema):
    url = Text(**_url)
    event_types = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(EVENT_TYPES)),
                                 **_events)
    description = Text(**_description)
    enabled = StrictBoolean(metadata={
        "description": "true switches a switched-off endpoint back on (what waited is sent); "
        "false switches it off."})


class WebhookSchema(ma.Schema):
    """An endpoint as listed: never its secret."""

    id = ma.fields.UUID(required=True)
    url = ma.fields.String(required=True)
    description = ma.fields.String(required=True, allow_none=True)
    event_types = ma.fields.List(ma.fields.String(), required=True)
    client_id = ma.fields.UUID(required=True, allow_none=True)
    created_at = Timestamp(required=True)
    disabled_at = Timestamp(required=True, allow_none=True, metadata={
        "description": "When it was switched off; null while it is on."})
    disabled_reason = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "failing (every attempt failed for too long), gone (it answered 410) "
        "or by_admin.", "example": "failing"})
    failing_since = Timestamp(required=True, allow_none=True)
    consecutive_failures = ma.fields.Integer(required=True, metadata={
        "description": "Messages given up on since the last success."})
    previous_secret_until = Timestamp(required=True, allow_none=True, metadata={
        "description": "During a rotation: until when the previous secret still signs."})


class NewWebhookSchema(WebhookSchema):
    secret = ma.fields.String(required=True, metadata={
        "description": "The signing secret, shown only now: verify each delivery with it "
        "(Standard Webhooks).", "example": "whsec_" + "x" * 44})


class RotatedSecretSchema(ma.Schema):
    secret = ma.fields.String(required=True, metadata={"example": "whsec_" + "x" * 44})
    previous_secret_until = Timestamp(required=True, metadata={
        "description": "Until then each delivery carries a signature by each secret."})


class WebhookDeliverySchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    msg_id = ma.fields.String(required=True, metadata={
        "description": "The webhook-id header: the same on every attempt and replay."})
    event_type = ma.fields.String(required=True, metadata={"example": "partnership.created"})
    payload = ma.fields.Dict(required=True, metadata={
        "description": "What was sent: type, timestamp and ids only."})
    status = ma.fields.String(required=True, metadata={
        "description": "pending, delivered or failed (given up)."})
    attempts = ma.fields.Integer(required=True)
    next_attempt_at = Timestamp(required=True, allow_none=True)
    last_attempt_at = Timestamp(required=True, allow_none=True)
    last_status_code = ma.fields.Integer(required=True, allow_none=True)
    last_error = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "Why the last attempt failed, or the first words of the answer."})
    delivered_at = Timestamp(required=True, allow_none=True)
    created_at = Timestamp(required=True)


class WebhookDeliveryArgsSchema(PagedArgsSchema):
    pass
