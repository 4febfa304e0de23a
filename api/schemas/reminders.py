"""Devices that take reminders, and the choices each one makes, as the API shows them."""

import re
from urllib.parse import urlsplit

import marshmallow as ma

from api.lib.languages import LANGUAGES
from api.models.reminders import DETAILS, KINDS
from api.schemas.common import BaseSchema, Name, StrictBoolean, Timestamp

_ZONE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$")
_HH_MM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


class TimeOfDay(ma.fields.String):
    """A local time of day, "HH:MM" (24 hours), kept as minutes after midnight."""

    def __init__(self, **kwargs):
        metadata = {"pattern": _HH_MM.pattern, "example": "21:30", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else f"{value // 60:02d}:{value % 60:02d}"

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not _HH_MM.fullmatch(text):  # not match: "$" would let "21:30\n" through
            raise ma.ValidationError("Use a 24-hour time such as 21:30.")
        hours, minutes = text.split(":")
        return int(hours) * 60 + int(minutes)


class QuietHoursSchema(BaseSchema):
    start = TimeOfDay(required=True, metadata={"description": "From this local time..."})
    end = TimeOfDay(required=True, metadata={"description": "...until this one (the next "
                                             "morning, when it is earlier than start). The "
                                             "same time as start means no quiet hours."})


class PushKeysSchema(BaseSchema):
    p256dh = ma.fields.String(required=True, validate=ma.validate.Length(min=80, max=100),
                              metadata={"description": "The browser's P-256 public key, "
                                        "base64url (from PushSubscription.toJSON())."})
    auth = ma.fields.String(required=True, validate=ma.validate.Length(min=20, max=40),
                            metadata={"description": "The 16-byte auth secret, base64url."})


class _Choices(BaseSchema):
    label = Name(allow_none=True, validate=ma.validate.Length(min=1, max=80), metadata={
        "description": "A name for the device, for your list (\"My phone\")."})
    language = ma.fields.String(validate=ma.validate.OneOf(LANGUAGES), metadata={
        "description": "The language of this device's notifications."})
    time_zone = ma.fields.String(validate=[ma.validate.Length(min=1, max=64),
                                           ma.validate.Regexp(_ZONE_NAME)], metadata={
        "pattern": _ZONE_NAME.pattern,
        "description": "The device's IANA time zone, e.g. America/Chicago: quiet hours and "
        "the daily summary are in its local time.", "example": "America/Chicago"})
    kinds = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(KINDS)),
                           validate=ma.validate.Length(max=len(KINDS)), metadata={
        "description": "What this device is told about: `checkin_due` (a check-in is due, "
        "each side, by the cadence), `talk_flag` (for a worker: a shared session check asks "
        "for a talk), `milestone_done`, `celebration` and `new_goal` (by the other person). "
        "Empty: nothing."})
    detail = ma.fields.String(validate=ma.validate.OneOf(DETAILS), metadata={
        "description": "`private` (the default): a notification names no one and holds no "
        "words anyone wrote, e.g. \"A check-in is due in Rapport.\" `names`: it may name "
        "the other person when it is about one thing. Words people wrote are never sent; "
        "the app loads them when opened."})
    quiet_hours = ma.fields.Nested(QuietHoursSchema, allow_none=True, metadata={
        "description": "No notifications between these local times; what comes meanwhile "
        "waits until the end. Null: none."})
    daily_summary = StrictBoolean(metadata={
        "description": "One message a day at `summary_at` instead of each as it comes."})
    summary_at = TimeOfDay(metadata={"description": "Local time of the daily summary."})


class PushSubscriptionCreateSchema(_Choices):
    JSON_SCHEMA_EXTRA = {"example": {
        "endpoint": "https://fcm.googleapis.com/fcm/send/dx8...", "keys": {
            "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u"
                      "-Ts1XbjhazAkj7I99e8QcYP7DkM",
            "auth": "tBHItJI5svbpez7KI4CCXg"},
        "time_zone": "America/Chicago", "language": "en"}}

    endpoint = ma.fields.Url(required=True, schemes={"https", "http"},
                             require_tld=False, validate=ma.validate.Length(max=2048),
                             metadata={"description": "The push service URL the browser "
                                       "gave (PushSubscription.endpoint); it must be a known "
                                       "push service's."})
    keys = ma.fields.Nested(PushKeysSchema, required=True)
    expiration_time = ma.fields.Raw(load_only=True, allow_none=True, metadata={
        "description": "As browsers give it (`expirationTime`); ignored."})


class PushSubscriptionUpdateSchema(_Choices):
    pass


class PushSubscriptionSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    label = ma.fields.String(required=True, allow_none=True)
    push_service = ma.fields.Method("_service", required=True, metadata={
        "type": "string", "description": "The push service's host; the endpoint itself is "
        "never shown back."})
    language = ma.fields.String(required=True)
    time_zone = ma.fields.String(required=True)
    kinds = ma.fields.List(ma.fields.String(), required=True)
    detail = ma.fields.String(required=True, metadata={"enum": list(DETAILS)})
    quiet_hours = ma.fields.Method("_quiet", required=True, allow_none=True, metadata={
        "type": "object", "properties": {"start": {"type": "string"}, "end": {"type": "string"}},
        "required": ["start", "end"], "description": "Local \"HH:MM\" times; null: none."})
    daily_summary = ma.fields.Boolean(required=True)
    summary_at = TimeOfDay(required=True)
    this_device = ma.fields.Boolean(required=True, metadata={
        "description": "Made by the session asking (this browser)."})
    created_at = Timestamp(required=True)
    last_sent_at = Timestamp(required=True, allow_none=True)

    def _quiet(self, device):
        if device.quiet_start is None:
            return None
        show = TimeOfDay()._serialize
        return {"start": show(device.quiet_start, None, None),
                "end": show(device.quiet_end, None, None)}

    def _service(self, device):
        return urlsplit(device.endpoint).hostname


class PushKeySchema(ma.Schema):
    public_key = ma.fields.String(required=True, metadata={
        "description": "The VAPID public key (base64url, uncompressed P-256 point): pass it "
        "as applicationServerKey to PushManager.subscribe()."})
