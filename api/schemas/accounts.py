"""Accounts, sessions, invites, partnerships and the access log, as the API shows them."""

import marshmallow as ma

from api.lib.languages import LANGUAGES
from api.lib.passwords import MAX_LENGTH, MIN_LENGTH
from api.models.accounts import PARTNERSHIP_STATUSES
from api.schemas.common import BaseSchema, IdSchema, Name, StrictBoolean, Text, Timestamp

USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{2,39}$"

_new_password = dict(
    load_only=True, validate=ma.validate.Length(min=MIN_LENGTH, max=MAX_LENGTH),
    metadata={"description": "8 to 128 characters; common passwords are refused. "
              "A passphrase of a few words works well.", "format": "password"},
)
_display_name = Name(validate=ma.validate.Length(min=1, max=80),
                     metadata={"description": "The name others see, e.g. a first name."})
_use_cookie = StrictBoolean(
    load_default=False,
    metadata={"description": "For the web app: put the session in an HttpOnly cookie "
              "instead of returning the token."},
)


class RegisterSchema(BaseSchema):
    JSON_SCHEMA_EXTRA = {"example": {"email": "sam@example.org", "display_name": "Sam",
                                     "password": "slow river under stars"}}

    email = ma.fields.Email(required=True, validate=ma.validate.Length(max=254))
    password = Text(required=True, **_new_password)
    display_name = Name(required=True, validate=ma.validate.Length(min=1, max=80))
    agency_code = Text(validate=ma.validate.Length(min=4, max=20),
                       metadata={"description": "A join code from your agency's admin."})


class UserSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    role = ma.fields.String(required=True, metadata={"enum": ["worker", "peer", "agency_admin"]})
    email = ma.fields.String(required=True, allow_none=True)
    username = ma.fields.String(required=True, allow_none=True)
    display_name = ma.fields.String(required=True, allow_none=True)
    agency_id = ma.fields.UUID(required=True, allow_none=True)
    created_at = Timestamp(required=True)


class MeSchema(UserSchema):
    content_agency_id = ma.fields.UUID(required=True, allow_none=True, metadata={
        "description": "The agency whose own tips, FAQs and crisis lines this person should "
        "see: their own agency, or for a peer, the agency of the worker they were most "
        "recently paired with. Pass it as `agency` to the content routes. Null: core only."})


class LoginSchema(BaseSchema):
    JSON_SCHEMA_EXTRA = {
        "oneOf": [{"required": ["email"]}, {"required": ["username"]}],
        "example": {"email": "sam@example.org", "password": "slow river under stars"},
    }

    email = ma.fields.Email(validate=ma.validate.Length(max=254),
                            metadata={"description": "Workers and agency admins."})
    username = ma.fields.String(validate=ma.validate.Regexp(USERNAME_PATTERN),
                                metadata={"description": "Peers."})
    password = Text(required=True, load_only=True,
                                validate=ma.validate.Length(min=1, max=MAX_LENGTH),
                                metadata={"format": "password"})
    use_cookie = _use_cookie
    device_token = Text(
        load_only=True, validate=ma.validate.Length(min=1, max=200),
        metadata={"description": "The `device_token` this client got at its last sign-in. "
                  "A client that shows one is never held back by wrong passwords tried "
                  "elsewhere for this account. (The web app's is in an HttpOnly cookie.)"})

    @ma.validates_schema
    def _one_identifier(self, data, **kwargs):
        if ("email" in data) == ("username" in data):
            raise ma.ValidationError("Send either an email or a username.", "_schema")


class SessionSchema(ma.Schema):
    token = ma.fields.String(
        metadata={"description": "Send as `Authorization: Bearer <token>`. Left out when "
                  "the session went into a cookie."})
    expires_at = Timestamp(required=True)
    device_token = ma.fields.String(
        metadata={"description": "Keep it, and send it with your next sign-in to this "
                  "account (`device_token`): guesses made elsewhere then never lock you out. "
                  "Left out when it went into a cookie."})


class PendingInviteSchema(ma.Schema):
    """An invite of yours no one has used yet. Its code is not kept, only a hash of it."""

    id = ma.fields.UUID(required=True)
    created_at = Timestamp(required=True)
    expires_at = Timestamp(required=True)


class InviteSchema(PendingInviteSchema):
    code = ma.fields.String(required=True, metadata={"example": "K7QM-4TPX"})
    join_url = ma.fields.String(required=True, metadata={
        "format": "uri", "example": "https://rapport.example.org/#/join?code=K7QM-4TPX",
        "description": "The app's join page with the code filled in (and `lang`, when sent)."})
    qr = ma.fields.String(required=True, metadata={
        "contentMediaType": "image/svg+xml",
        "description": "`join_url` as a QR code: a standalone SVG document, black on white."})


class InviteArgsSchema(BaseSchema):
    lang = ma.fields.String(validate=ma.validate.OneOf(LANGUAGES), metadata={
        "description": "The language the join page opens in (`en` or `es`)."})


class JoinAgencySchema(BaseSchema):
    JSON_SCHEMA_EXTRA = {"example": {"code": "K7QM-4TPX-9C2D"}}

    code = Text(required=True, validate=ma.validate.Length(min=4, max=20),
                metadata={"description": "A join code from your agency's admin."})


class AcceptInviteSchema(BaseSchema):
    """New peers send all three fields; a signed-in peer sends `{}`."""

    JSON_SCHEMA_EXTRA = {"example": {"display_name": "Alex", "username": "alex.r",
                                     "password": "green river evening song"}}

    display_name = _display_name
    username = ma.fields.String(validate=ma.validate.Regexp(USERNAME_PATTERN),
                                metadata={"description": "3 to 40 letters, digits, . _ -"})
    password = Text(**_new_password)
    use_cookie = _use_cookie


class AcceptedInviteSchema(SessionSchema):
    partnership_id = ma.fields.UUID(required=True)
    expires_at = Timestamp(metadata={"description": "Only when a new account was made."})


class MeUpdateSchema(BaseSchema):
    display_name = _display_name
    password = Text(**{
        **_new_password,
        "metadata": {"format": "password", "description": "A new password (send "
                     "`current_password` too); signs out your other sessions and revokes "
                     "your calendar links."}})
    current_password = Text(load_only=True,
                                        validate=ma.validate.Length(min=1, max=MAX_LENGTH),
                                        metadata={"format": "password"})


class PartnershipSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    status = ma.fields.String(required=True, metadata={"enum": list(PARTNERSHIP_STATUSES)})
    checkin_cadence_days = ma.fields.Integer(required=True)
    worker = ma.fields.Nested(IdSchema, required=True)
    peer = ma.fields.Nested(IdSchema, required=True)
    agency_id = ma.fields.UUID(required=True, allow_none=True)
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)
    ended_at = Timestamp(required=True, allow_none=True)


class PartnershipListItemSchema(PartnershipSchema):
    talk_flag = ma.fields.Boolean(required=True, metadata={
        "description": "The peer's latest shared session-check asks for a talk about how it "
        "is going: the two-sided view's flag, which says why."})


class PartnershipUpdateSchema(BaseSchema):
    checkin_cadence_days = ma.fields.Integer(
        validate=ma.validate.Range(min=1, max=365),
        metadata={"description": "Days between check-ins."})
    status = ma.fields.String(
        validate=ma.validate.OneOf(PARTNERSHIP_STATUSES),
        metadata={"description": "`ended` is final: the history stays, read-only."})


class AccessLogEntrySchema(ma.Schema):
    at = Timestamp(required=True)
    actor_id = ma.fields.UUID(required=True, allow_none=True,
                              metadata={"description": "Null when nobody was signed in."})
    actor_role = ma.fields.String(required=True, allow_none=True)
    action = ma.fields.String(required=True)
    object_type = ma.fields.String(required=True, allow_none=True)
    object_id = ma.fields.String(required=True, allow_none=True)
    outcome = ma.fields.String(required=True,
                               metadata={"enum": ["ok", "failed", "denied", "throttled"]})


class ExportSchema(ma.Schema):
    format = ma.fields.Integer(required=True)
    exported_at = ma.fields.String(required=True)
    profile = ma.fields.Dict(required=True)
    partnerships = ma.fields.List(ma.fields.Dict(), required=True)
    invites = ma.fields.List(ma.fields.Dict(), required=True)
    sessions = ma.fields.List(ma.fields.Dict(), required=True)
    handovers = ma.fields.List(ma.fields.Dict(), required=True, metadata={
        "description": "Requests to move a partnership to another worker that you were part "
        "of (as either worker, the admin who asked, or the peer who decided)."})
    goals = ma.fields.List(ma.fields.Dict(), required=True, metadata={"description": (
        "Goals of your partnerships, each with its milestones. `words_removed` on a goal or "
        "milestone: its writer erased their account, and its words with it.")})
    checkins = ma.fields.List(ma.fields.Dict(), required=True)
    celebrations = ma.fields.List(ma.fields.Dict(), required=True)
    survey_responses = ma.fields.List(ma.fields.Dict(), required=True)
    push_devices = ma.fields.List(ma.fields.Dict(), required=True, metadata={
        "description": "Devices that take reminders, with their choices (times of day as "
        "minutes after local midnight)."})
    notifications = ma.fields.List(ma.fields.Dict(), required=True, metadata={
        "description": "Every reminder and alert made for your devices, and what became "
        "of it: `sent`, `waiting`, `skipped` (already done, kind turned off, device "
        "removed) or `failed`."})
    access_log = ma.fields.List(ma.fields.Dict(), required=True)


_join_code_label = Name(
    allow_none=True, validate=ma.validate.Length(min=1, max=80),
    metadata={"description": "What the code is for, to tell codes apart in the list.",
              "example": "Spring hires"})


class JoinCodeCreateSchema(BaseSchema):
    JSON_SCHEMA_EXTRA = {"example": {"label": "Spring hires"}}

    label = _join_code_label


class JoinCodeSchema(ma.Schema):
    """A code just made: the only time the code itself is shown."""

    id = ma.fields.UUID(required=True)
    code = ma.fields.String(required=True, metadata={"example": "K7QM-4TPX-9RW2"})
    label = ma.fields.String(required=True, allow_none=True)
    expires_at = Timestamp(required=True)


class JoinCodeRowSchema(ma.Schema):
    """A code as listed: never the code (only its hash is kept)."""

    id = ma.fields.UUID(required=True)
    label = ma.fields.String(required=True, allow_none=True)
    created_at = Timestamp(required=True)
    expires_at = Timestamp(required=True)
    uses = ma.fields.Integer(required=True, metadata={
        "description": "How many workers joined the agency with it."})
    revoked_at = Timestamp(required=True, allow_none=True)
    status = ma.fields.String(required=True, metadata={
        "enum": ["active", "expired", "revoked"],
        "description": "Only an active code lets a worker sign up or join."})


class AgencySchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True, metadata={"example": "Riverside Peer Support"})
    own_content_first = ma.fields.Boolean(required=True, metadata={
        "description": "The agency's own published tips, FAQs and topics come before the "
        "core ones in its lists, feeds and embeds (true), or after them (false)."})
    crisis_include_default = ma.fields.Boolean(required=True, metadata={
        "description": "Its crisis lines show the default set too (change it with PUT "
        "/agencies/{agency_id}/crisis-resources)."})
    workers = ma.fields.Integer(required=True, metadata={
        "description": "How many workers are in the agency."})
    webhooks_switched_off = ma.fields.Integer(required=True, metadata={
        "description": "How many of its webhook endpoints the server switched off (failing "
        "or gone) or an admin did: see GET /agencies/{agency_id}/webhooks."})


class AgencyUpdateSchema(BaseSchema):
    JSON_SCHEMA_EXTRA = {"example": {"own_content_first": False}}

    name = Name(validate=ma.validate.Length(min=1, max=120))
    own_content_first = StrictBoolean()


class MemberSchema(ma.Schema):
    """A worker of the agency, as its admin sees them: no peer, nothing from a partnership."""

    id = ma.fields.UUID(required=True)
    display_name = ma.fields.String(required=True, allow_none=True)
    email = ma.fields.String(required=True, allow_none=True)
    joined_at = Timestamp(required=True, allow_none=True, metadata={
        "description": "When they joined the agency; null if not known (joined before this "
        "was kept)."})
    partnerships = ma.fields.Integer(required=True, metadata={
        "description": "Active and paused partnerships made under the agency: each must be "
        "handed over or ended before the worker can be removed."})


class SupervisionRowSchema(ma.Schema):
    worker_id = ma.fields.UUID(required=True)
    display_name = ma.fields.String(required=True, allow_none=True)
    joined_at = Timestamp(required=True, metadata={"description": "When the account was made."})
    partnerships = ma.fields.Integer(required=True, metadata={
        "description": "Active partnerships made under this agency."})
    paused = ma.fields.Integer(required=True)
    overdue = ma.fields.Integer(required=True, metadata={
        "description": "Active partnerships a day or more past their check-in."})
    median_consistency = ma.fields.Float(required=True, allow_none=True, metadata={
        "description": "Median check-in consistency (0 to 1) of the active partnerships that "
        "have one; null when none has."})
    days_since_last_checkin = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "Whole days since the last check-in on any of them; null: never."})
