"""The signed-in person: their profile, their data, who has touched it, and what is next."""

from flask import make_response, request
from flask.views import MethodView
from flask_smorest import abort

from api.http import access
from api.http.language import language_headers, negotiate
from api.http.openapi import (
    CONTENT_HEADERS,
    PAGING_HEADERS,
    SIGN_OUT_HEADERS,
    Blueprint,
    paging_headers,
)
from api.lib.addresses import client_address
from api.resources.auth import account_error, limited
from api.resources.partnerships import MEMBERS
from api.schemas.accounts import (
    AccessLogEntrySchema,
    ExportSchema,
    JoinAgencySchema,
    MeSchema,
    MeUpdateSchema,
    UserSchema,
)
from api.schemas.common import NoArgsSchema, PagedArgsSchema
from api.schemas.goals import NextMilestoneSchema
from api.schemas.surveys import TrendArgsSchema, TrendSchema
from api.services import audit
from api.services.accounts import privacy, throttle
from api.services.accounts.people import (
    AccountError,
    content_agency_id,
    join_agency,
    update_profile,
)
from api.services.support import goals
from api.services.surveys import instruments, trend

blp = Blueprint("me", __name__, url_prefix="/api/v1/me",
                description="Your account, your data export, your access log, and your next "
                "milestones.")


_LOGGED = tuple(name for name in AccessLogEntrySchema().fields if name != "app")
# What an app with profile:read does not see: the consent screen promises a name and a role,
# and a peer's username is half of their sign-in.
_NOT_FOR_APPS = ("email", "username")


def _me(user) -> dict:
    shown = {**{name: getattr(user, name) for name in UserSchema().fields},
             "content_agency_id": content_agency_id(user)}
    if access.current_client_id() is not None:
        shown.update(dict.fromkeys(_NOT_FOR_APPS))
    return shown


@blp.route("")
class Me(MethodView):
    @access.signed_in(scope="profile:read")
    @blp.arguments(NoArgsSchema, location="query")
    @blp.response(200, MeSchema)
    @blp.errors(422)
    def get(self, _args):
        """Get your own account, and the agency whose content you see.

        An app (OAuth, `profile:read`) gets `email` and `username` as null.
        """
        user = access.caller()
        audit.record_read(user, "account.read", object_type="user", object_id=user.id)
        return _me(user)

    @access.signed_in()
    @blp.arguments(MeUpdateSchema, required=False)
    @blp.response(200, MeSchema)
    @blp.errors(403, 422, 429)
    def patch(self, data):
        """Change your name or password (a new password ends other sessions and calendar links)."""
        user = access.caller()
        # A session is not the password: whoever holds one (a phone left open) may not
        # guess the password behind it without limit.
        asks_password = "password" in data or "current_password" in data
        checks = [(throttle.REAUTH, str(user.id))] if asks_password else []
        with limited(*checks) as attempt:
            try:
                return _me(update_profile(user, access.current_session(), **data))
            except AccountError as error:
                if error.field == "current_password" and "current_password" in data:
                    attempt.keep(throttle.REAUTH)
                account_error(error)

    @access.signed_in()
    @blp.response(204, headers=SIGN_OUT_HEADERS)
    def delete(self):
        """Erase your account: personal data is removed and every session ends."""
        privacy.erase(access.caller())
        response = make_response("", 204)
        access.end_browser_session(response, forget_device=True)
        return response


@blp.route("/agency")
class MyAgency(MethodView):
    @access.signed_in("worker")
    @blp.arguments(JoinAgencySchema)
    @blp.response(200, MeSchema)
    @blp.errors(403, 409, 422, 429)
    def post(self, data):
        """Join your agency with its join code, if you signed up without one.

        Your partnerships stay as they are: each keeps the agency it was made under (none),
        so nothing said before you joined goes into the agency's insights. Partnerships you
        make from now on belong to the agency, and you see its own tips and FAQs. Sending a
        code of the agency you are already in changes nothing (200); a code of another
        agency, when you are in one, is 409. A code that is unknown or expired is 422, as at
        sign-up, and such tries are limited like every code guess (429).
        """
        worker = access.caller()
        address = client_address(request.remote_addr)
        with limited((throttle.CODES, address), (throttle.CODES, f"user:{worker.id}")) as attempt:
            try:
                return _me(join_agency(worker, data["code"]))
            except AccountError as error:
                if error.status == 422:
                    attempt.keep(throttle.CODES)
                account_error(error)


@blp.route("/export")
class Export(MethodView):
    @access.signed_in(scope="export:read")
    @blp.arguments(NoArgsSchema, location="query")
    @blp.response(200, ExportSchema)
    @blp.errors(422)
    def get(self, _args):
        """Download everything held about you, as JSON."""
        user = access.caller()
        data = privacy.export(user)
        audit.record_read(user, "account.export", object_type="user", object_id=user.id)
        return data


@blp.route("/access-log")
class AccessLog(MethodView):
    @access.signed_in()
    @blp.arguments(PagedArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, AccessLogEntrySchema(many=True), headers=PAGING_HEADERS)
    @blp.errors(422)
    def get(self, page, page_size):
        """See who read or changed your data, when, and through which app (newest first)."""
        user = access.caller()
        rows, total = audit.access_log(user, page, page_size)
        audit.record_read(user, "account.access_log.read", object_type="user",
                         object_id=user.id)
        entries = [{**{field: getattr(event, field) for field in _LOGGED}, "app": app}
                   for event, app in rows]
        return entries, 200, paging_headers(page, page_size, total)


@blp.route("/milestones")
class NextMilestones(MethodView):
    @access.signed_in(*MEMBERS, scope="goals:read")
    @blp.arguments(PagedArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, NextMilestoneSchema(many=True), headers=PAGING_HEADERS,
                  description="Milestones not yet done, of active goals, in partnerships "
                  "that have not ended: dated ones first, soonest due first, then undated "
                  "ones; ties in goal order (oldest goal first), then milestone position.")
    @blp.errors(422)
    def get(self, page, page_size):
        """List your next open milestones across your partnerships, soonest due first."""
        items, total = goals.next_milestones(access.caller(), page, page_size)
        return items, 200, paging_headers(page, page_size, total)


@blp.route("/self-check/trend")
class SelfCheckTrend(MethodView):
    @access.signed_in("worker", scope="surveys:read")
    @blp.arguments(TrendArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, TrendSchema,
                  headers={"Content-Language": CONTENT_HEADERS["Content-Language"]})
    @blp.localised
    @blp.errors(404, 422)
    def get(self, limit, lang=None):
        """See your self-checks over time: each practice, the total, and which changes are real."""
        if instruments.newest(instruments.SELF_CHECK) is None:
            abort(404, message="The self-check has not been published yet.")
        language = negotiate(lang)
        return trend.trend(access.caller(), limit, language), 200, language_headers(language)
