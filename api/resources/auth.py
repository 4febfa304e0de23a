"""Registering and signing in and out."""

from contextlib import contextmanager

from flask import current_app, make_response, request
from flask.views import MethodView
from flask_smorest import abort

from api.db import sqlite
from api.http import access
from api.http.openapi import SIGN_OUT_HEADERS, Blueprint
from api.lib.addresses import client_address
from api.lib.clock import utcnow
from api.schemas.accounts import LoginSchema, RegisterSchema, SessionSchema, UserSchema
from api.services import audit
from api.services.accounts import devices, logins, sessions, throttle
from api.services.accounts.people import AccountError, register_worker

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth",
                description="Accounts for workers, and sessions for everyone.")


def account_error(error: AccountError):
    """An AccountError as a problem: 422 names the field; 403 and 409 explain in words."""
    if error.status == 422:
        abort(422, errors={error.field: [error.message]})
    abort(error.status, message=error.message)


@contextmanager
def limited(*checks: tuple[throttle.Guard, str]):
    """Take one attempt from each (guard, key) for the block (services.accounts.throttle), or answer
    429 with Retry-After when any is used up."""
    try:
        attempt = throttle.attempt(*checks)
    except throttle.Refused as refused:
        abort(429, headers={"Retry-After": str(refused.retry_after)},
              message="Too many tries from here. Wait, then try again.")
    with attempt:
        yield attempt


def session_response(schema, body: dict, status: int, token: str, expires_at,
                     device_token: str, use_cookie: bool):
    """Hand over a new session and device token: in the body, or in HttpOnly cookies."""
    body = {**body, "expires_at": expires_at}
    if not use_cookie:
        body["token"] = token
        body["device_token"] = device_token
    response = make_response(schema.dump(body), status)
    if use_cookie:
        access.set_session_cookie(response, token, expires_at)
        access.set_device_cookie(response, device_token, utcnow() + devices.LIFETIME)
    return response


@blp.route("/register")
class Register(MethodView):
    @access.anyone
    @blp.arguments(RegisterSchema)
    @blp.response(201, UserSchema)
    @blp.errors(409, 422, 429)
    def post(self, data):
        """Create a worker account (email and password)."""
        address = client_address(request.remote_addr)
        checks = [(throttle.NEW_ACCOUNTS, address), (throttle.TAKEN_NAMES, address)]
        if "agency_code" in data:
            checks.append((throttle.CODES, address))
        with limited(*checks) as attempt:
            try:
                user = register_worker(**data)
            except AccountError as error:
                if error.status == 409:  # slow down anyone probing which emails have accounts
                    attempt.keep(throttle.TAKEN_NAMES)
                elif error.field == "agency_code":  # and anyone guessing join codes
                    attempt.keep(throttle.CODES)
                account_error(error)
            attempt.keep(throttle.NEW_ACCOUNTS)
        return user


@blp.route("/token")
class Token(MethodView):
    @access.anyone
    @blp.arguments(LoginSchema)
    @blp.response(201, SessionSchema)
    @blp.errors(401, 422, 429)
    def post(self, data):
        """Sign in with email (workers, admins) or username (peers) and password."""
        use_cookie = data.pop("use_cookie")
        device_token = access.device_token(data.pop("device_token", None))
        password = data.pop("password")
        # SQLite: found outside the write lock, so the slow password check that follows
        # holds up no one else's writes (api.db.sqlite).
        with sqlite.read_first():
            account, user = logins.find(data.get("email"), data.get("username"))
        try:
            signed_in = logins.sign_in(
                account=account, user=user, password=password, device_token=device_token,
                address=client_address(request.remote_addr),
                lifetime=current_app.config["SESSION_LIFETIME"])
        except logins.LoginThrottled as throttled:
            abort(429, headers={"Retry-After": str(throttled.retry_after)},
                  message="Too many failed sign-ins. Wait, then try again.")
        except logins.LoginFailed:
            abort(401, message="That sign-in did not work. Check the details and try again.")
        return session_response(SessionSchema(), {}, 201, signed_in.token,
                                signed_in.session.expires_at, signed_in.device_token,
                                use_cookie)

    @access.signed_in()
    @blp.response(204, headers=SIGN_OUT_HEADERS)
    def delete(self):
        """Sign out: this session's token stops working at once."""
        user, session = access.caller(), access.current_session()
        sessions.revoke(session)
        audit.record(user, "auth.logout", object_type="user", object_id=user.id)
        response = make_response("", 204)
        access.end_browser_session(response)
        return response
