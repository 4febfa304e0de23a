"""Registering and signing in and out."""

from flask import current_app, make_response, request
from flask.views import MethodView
from flask_smorest import abort

from api import access
from api.extensions import db
from api.openapi import SIGN_OUT_HEADERS, Blueprint
from api.schemas.accounts import LoginSchema, RegisterSchema, SessionSchema, UserSchema
from api.services import audit, logins, sessions, throttle
from api.services.accounts import AccountError, register_worker

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth",
                description="Accounts for workers, and sessions for everyone.")

REGISTER_CONFLICT_RULE = "10 per hour"


def account_error(error: AccountError):
    """An AccountError as a problem: 422 names the field; 403 and 409 explain in words."""
    if error.status == 422:
        abort(422, errors={error.field: [error.message]})
    abort(error.status, message=error.message)


def session_response(schema, body: dict, status: int, token: str, expires_at,
                     use_cookie: bool):
    """Hand over a new session: the token in the body, or in an HttpOnly cookie."""
    body = {**body, "expires_at": expires_at}
    if not use_cookie:
        body["token"] = token
    response = make_response(schema.dump(body), status)
    if use_cookie:
        access.set_session_cookie(response, token, expires_at)
    return response


@blp.route("/register")
class Register(MethodView):
    @access.anyone
    @blp.arguments(RegisterSchema)
    @blp.response(201, UserSchema)
    @blp.errors(409, 422, 429)
    def post(self, data):
        """Create a worker account (email and password)."""
        key = f"register:ip:{request.remote_addr}"
        wait = throttle.retry_after(REGISTER_CONFLICT_RULE, key)
        if wait:
            abort(429, headers={"Retry-After": str(wait)})
        try:
            return register_worker(**data)
        except AccountError as error:
            if error.status == 409:  # slow down anyone probing which emails have accounts
                throttle.count_failure(REGISTER_CONFLICT_RULE, key)
            account_error(error)


@blp.route("/token")
class Token(MethodView):
    @access.anyone
    @blp.arguments(LoginSchema)
    @blp.response(201, SessionSchema)
    @blp.errors(401, 422, 429)
    def post(self, data):
        """Sign in with email (workers, admins) or username (peers) and password."""
        use_cookie = data.pop("use_cookie")
        try:
            _, token, session = logins.sign_in(
                **data, client_ip=request.remote_addr or "unknown",
                lifetime=current_app.config["SESSION_LIFETIME"])
        except logins.LoginThrottled as throttled:
            abort(429, headers={"Retry-After": str(throttled.retry_after)},
                  message="Too many failed sign-ins. Wait, then try again.")
        except logins.LoginFailed:
            abort(401, message="That sign-in did not work. Check the details and try again.")
        return session_response(SessionSchema(), {}, 201, token, session.expires_at, use_cookie)

    @access.signed_in()
    @blp.response(204, headers=SIGN_OUT_HEADERS)
    def delete(self):
        """Sign out: this session's token stops working at once."""
        user, session = access.caller(), access.current_session()
        sessions.revoke(session)
        audit.record(user, "auth.logout", object_type="user", object_id=user.id)
        db.session.commit()
        response = make_response("", 204)
        access.end_browser_session(response)
        return response
