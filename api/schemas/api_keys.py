"""Agency API keys as the API shows them: the secret once, at creation, then never again."""

import marshmallow as ma

from api.schemas.common import BaseSchema, Name, Timestamp

_name = dict(validate=ma.validate.Length(min=1, max=80),
             metadata={"description": "What the key is for, e.g. the site that embeds tips.",
                       "example": "Agency website"})


class ApiKeyCreateSchema(BaseSchema):
    name = Name(required=True, **_name)


class ApiKeySchema(ma.Schema):
    """A key as listed: the visible prefix only, never the key or its hash."""

    id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True, metadata={"example": "Agency website"})
    prefix = ma.fields.String(
        required=True, metadata={"description": "The start of the key, to tell keys apart.",
                                 "example": "rk_7hq2mxka"})
    created_at = Timestamp(required=True)
    last_used_at = Timestamp(required=True, allow_none=True,
                             metadata={"description": "Within about a minute; null if never."})
    revoked_at = Timestamp(required=True, allow_none=True)


class NewApiKeySchema(ma.Schema):
    """A key just made: the only time its full text is shown."""

    id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True)
    prefix = ma.fields.String(required=True, metadata={"example": "rk_7hq2mxka"})
    key = ma.fields.String(
        required=True,
        metadata={"description": "The whole key, shown only now: store it safely and send it "
                  "in the X-API-Key header.",
                  "example": "rk_7hq2mxka_" + "x" * 43})
    created_at = Timestamp(required=True)
