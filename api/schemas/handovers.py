"""Handovers: moving a partnership to another worker of the agency, when the peer agrees."""

import marshmallow as ma

from api.models.accounts import HANDOVER_STATUSES, PARTNERSHIP_STATUSES
from api.schemas.common import BaseSchema, IdSchema, StrictBoolean, Timestamp


class HandoverAskSchema(BaseSchema):
    from_worker_id = ma.fields.UUID(required=True, metadata={
        "description": "The worker who supports the peers now."})
    to_worker_id = ma.fields.UUID(required=True, metadata={
        "description": "The worker of your agency who would support them instead."})
    partnership_ids = ma.fields.List(
        ma.fields.UUID(), validate=ma.validate.Length(min=1, max=100), metadata={
            "description": "Which of the worker's partnerships; left out: all their active "
            "and paused partnerships made under your agency."})


class HandoverArgsSchema(BaseSchema):
    status = ma.fields.String(validate=ma.validate.OneOf(HANDOVER_STATUSES), metadata={
        "description": "Only requests in this state."})


class HandoverSchema(ma.Schema):
    """What an agency admin sees of a request: never the peer's name or words."""

    id = ma.fields.UUID(required=True)
    partnership_id = ma.fields.UUID(required=True)
    from_worker = ma.fields.Nested(IdSchema, required=True, allow_none=True)
    to_worker = ma.fields.Nested(IdSchema, required=True, allow_none=True)
    status = ma.fields.String(required=True, metadata={"enum": list(HANDOVER_STATUSES)})
    asked_at = Timestamp(required=True)
    decided_at = Timestamp(required=True, allow_none=True)
    partnership_started = ma.fields.Date(required=True, metadata={
        "description": "The day the partnership began: how it is told apart, with no name."})


class PeerHandoverSchema(ma.Schema):
    """A request waiting for the peer's answer."""

    id = ma.fields.UUID(required=True)
    partnership_id = ma.fields.UUID(required=True)
    agency_name = ma.fields.String(required=True)
    from_worker_name = ma.fields.String(required=True, allow_none=True)
    to_worker_name = ma.fields.String(required=True, allow_none=True)
    asked_at = Timestamp(required=True)


class HandoverDecisionSchema(BaseSchema):
    agree = StrictBoolean(required=True, metadata={
        "description": "true: move to the new worker now; false: stay as you are."})


class HandoverDecidedSchema(ma.Schema):
    status = ma.fields.String(required=True, metadata={"enum": ["accepted", "declined"]})


class HandoverHistorySchema(ma.Schema):
    """One request about the partnership; an accepted one is when the new worker took over."""

    id = ma.fields.UUID(required=True)
    from_worker = ma.fields.Nested(IdSchema, required=True, allow_none=True)
    to_worker = ma.fields.Nested(IdSchema, required=True, allow_none=True)
    status = ma.fields.String(required=True, metadata={"enum": list(HANDOVER_STATUSES)})
    asked_at = Timestamp(required=True)
    decided_at = Timestamp(required=True, allow_none=True)


class AgencyPartnershipSchema(ma.Schema):
    """A partnership as its agency's admin may know it: dates, state and cadence only."""

    id = ma.fields.UUID(required=True)
    started = ma.fields.Date(required=True)
    status = ma.fields.String(required=True, metadata={"enum": list(PARTNERSHIP_STATUSES)})
    checkin_cadence_days = ma.fields.Integer(required=True)
