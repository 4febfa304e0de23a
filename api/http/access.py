"""Who may call what. Deny by default: every view declares its rule, or the app won't start.

- `anyone`: no sign-in needed (log in, register, accept an invite, health probes).
- `signed_in(*roles, scope=...)`: a live session is required (401 without); with roles,
  others get 403. An app's OAuth access token (api.services.integrations.oauth) counts as
  its person's session only on routes that name a `scope`, and only if the person granted
  that scope: anywhere else it is a 403 (insufficient_scope). Deny by default, for apps too.
- Views marked `policies.public` are public content and need no declaration here.

The caller is found from `Authorization: Bearer <token>` (integrators) or the HttpOnly
session cookie (the PWA). Cookie-authenticated writes must be JSON or carry
X-Requested-With, which a cross-site form cannot send: with SameSite=Strict, that closes CSRF.

Denials: a signed-in caller's is an audit row under their own name (never under the object
they named: that would put anyone's attempts into another person's access log). Anonymous
ones are only counted (in /metrics), so no one can flood the audit trail or slow real
writes with requests that carry no session. Both are limited (DENIAL_LIMIT): per account
when signed in, per address when not.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import wraps

from flask import Flask, current_app, g, request
from flask_smorest import abort

from api.db import sqlite
from api.http.policies import PUBLIC, SAFE_METHODS, policy_for
from api.lib.addresses import client_address
from api.models import AuthSession, User
from api.services import audit
from api.services.accounts import sessions, throttle
from api.services.integrations import oauth, scopes

# `__Host-`: the browser keeps them only when Secure, for this host alone, on every path.
SESSION_COOKIE = "__Host-rapport_session"
DEVICE_COOKIE = "__Host-rapport_device"
# What a browser drops when its session ends: cached private answers and the web app's
# storage (IndexedDB, caches, service worker), so a shared phone keeps nothing. Cookies are
# cleared one by one instead: the device cookie, which names no one, stays, so guesses made
# elsewhere still cannot lock this phone's person out after they sign out.
CLEAR_SITE_DATA = '"cache", "storage"'
# Endpoints that libraries register for us; they serve nothing private.
OPEN_ENDPOINTS = frozenset({"api-docs.openapi_json"})


@dataclass(frozen=True)
class Rule:
    signed_in: bool
    roles: tuple[str, ...] = ()
    # The OAuth scope an app needs here; None: no app may call this route.
    scope: str | None = None


ANYONE = Rule(signed_in=False)


def init_app(app: Flask) -> None:
    app.before_request(_forget_acting_client)


def _forget_acting_client() -> None:
    # Threads serve one request after another: the last request's app must not carry over.
    audit.acting_client.set(None)


def anyone(func):
    """Declare that a view needs no sign-in."""
    func._access = ANYONE
    return func


def signed_in(*roles: str, scope: str | None = None):
    """Require a live session, and one of `roles` when given; let apps in with `scope`.
    Put it above other decorators."""
    if scope is not None and scope not in scopes.SCOPES:
        raise ValueError(f"unknown OAuth scope {scope!r}")
    rule = Rule(signed_in=True, roles=roles, scope=scope)

    def decorator(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            _require(rule)
            return func(*args, **kwargs)

        wrapper._access = rule
        wrapper._apidoc = {**getattr(func, "_apidoc", {}), "access": rule}
        return wrapper

    return decorator


def caller() -> User | None:
    """The signed-in user of this request, if any (found once, then remembered)."""
    if "caller" not in g:
        g.caller, g.auth_session, g.auth_via, g.bad_token = None, None, None, False
        g.oauth_token = None
        token, via = _presented_token()
        if token is not None and via == "bearer" and oauth.is_access_token(token):
            with sqlite.read_first():
                found = oauth.resolve_access_token(token)
            if found is None:
                g.bad_token = True
            else:
                g.caller, g.oauth_token, g.auth_via = found.grant.user, found, "oauth"
                audit.acting_client.set(found.grant.client_id)
        elif token is not None:
            with sqlite.read_first():  # SQLite: not under the write lock (api.db.sqlite)
                session = sessions.resolve(token, current_app.config["SESSION_IDLE"])
            if session is None:
                g.bad_token = True
            else:
                g.caller, g.auth_session, g.auth_via = session.user, session, via
    return g.caller


def current_client_id():
    """The OAuth client (its row id) acting for the caller, or None for the person's own
    session."""
    caller()
    return g.oauth_token.grant.client_id if g.oauth_token is not None else None


def optional_caller() -> User | None:
    """The caller if signed in, None if no token was sent; a dead token is still a 401.
    Open routes that act for whoever is signed in name no scope: an app is refused there."""
    user = caller()
    if user is None and g.bad_token:
        deny(401, None, "Your session has ended or is not valid. Sign in again.")
    if g.auth_via == "oauth":
        _refuse_app(user, None)
    return user


def current_session() -> AuthSession | None:
    caller()
    return g.auth_session


def _presented_token() -> tuple[str | None, str | None]:
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, value = header.partition(" ")
        return (value.strip() if scheme.lower() == "bearer" else ""), "bearer"
    cookie = request.cookies.get(cookie_name(SESSION_COOKIE))
    if cookie:
        return cookie, "cookie"
    return None, None


def _insufficient_scope(scope: str | None) -> str:
    needed = f', scope="{scope}"' if scope else ""
    return f'Bearer realm="rapport", error="insufficient_scope"{needed}'


def deny(status: int, user: User | None, message: str | None = None, *,
         www_authenticate: str | None = None, **details) -> None:
    """Record the denial, then stop the request with a problem response. Denials are limited
    per account (signed in) or per address (anonymous): past that, a 429 and no record."""
    audit.count_denial(status, user)
    guard = throttle.denials()
    who = str(user.id) if user else client_address(request.remote_addr)
    try:
        throttle.attempt((guard, who)).keep(guard)
    except throttle.Refused as refused:
        abort(429, headers={"Retry-After": str(refused.retry_after)})
    if user is not None:
        audit.record_refusal(user, f"denied:{request.endpoint}", **details)
    headers = {"WWW-Authenticate": www_authenticate} if www_authenticate else {}
    if status == 401:
        error = ', error="invalid_token"' if g.get("bad_token") else ""
        headers["WWW-Authenticate"] = f'Bearer realm="rapport"{error}'
    abort(status, message=message, headers=headers)


def _refuse_app(user: User, scope: str | None) -> None:
    # RFC 6750 3.1: the app's token lacks what this route needs (or apps may not call it).
    deny(403, user, "This app was not allowed to do this.",
         www_authenticate=_insufficient_scope(scope))


def _require(rule: Rule) -> None:
    user = caller()
    if user is None:
        deny(401, None, "Sign in to do this." if not g.bad_token
             else "Your session has ended or is not valid. Sign in again.")
    if g.auth_via == "oauth" and (rule.scope is None
                                  or rule.scope not in g.oauth_token.scope.split()):
        _refuse_app(user, rule.scope)
    if rule.roles and user.role not in rule.roles:
        deny(403, user)
    if (g.auth_via == "cookie" and request.method not in SAFE_METHODS
            and not request.is_json and not request.headers.get("X-Requested-With")):
        deny(403, user, "Send writes as JSON, or with an X-Requested-With header.")


def cookie_name(name: str) -> str:
    """The cookie's name: without its __Host- prefix when cookies may not be Secure."""
    return name if current_app.config["COOKIE_SECURE"] else name.removeprefix("__Host-")


def _set_cookie(response, name: str, value: str, expires: datetime) -> None:
    response.set_cookie(cookie_name(name), value, expires=expires, httponly=True,
                        secure=current_app.config["COOKIE_SECURE"], samesite="Strict", path="/")


def set_session_cookie(response, token: str, expires_at: datetime) -> None:
    _set_cookie(response, SESSION_COOKIE, token, expires_at)


def set_device_cookie(response, token: str, expires_at: datetime) -> None:
    """The device token (services.accounts.devices) for the web app, out of reach of its scripts."""
    _set_cookie(response, DEVICE_COOKIE, token, expires_at)


def device_token(sent: str | None) -> str | None:
    """The device token sent in the body (integrators) or kept in the web app's cookie."""
    return sent or request.cookies.get(cookie_name(DEVICE_COOKIE))


def _delete_cookie(response, name: str) -> None:
    response.delete_cookie(cookie_name(name), httponly=True, path="/", samesite="Strict",
                           secure=current_app.config["COOKIE_SECURE"])


def clear_session_cookie(response) -> None:
    _delete_cookie(response, SESSION_COOKIE)


def end_browser_session(response, *, forget_device: bool = False) -> None:
    """Clear the session cookie (and the device's, when the account is gone); a cookie
    session also gets Clear-Site-Data."""
    clear_session_cookie(response)
    if forget_device:
        _delete_cookie(response, DEVICE_COOKIE)
    # Only the web app's own session: for a Bearer caller (an integrator's script), the
    # header would wipe whatever that browser holds for this site.
    if g.get("auth_via") == "cookie":
        response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA


def rule_for(app: Flask, endpoint: str, method: str) -> Rule | None:
    view = app.view_functions[endpoint]
    view_class = getattr(view, "view_class", None)
    target = getattr(view_class, method.lower(), None) if view_class else view
    return getattr(target, "_access", None)


def verify_declared(app: Flask) -> None:
    """Refuse to start while any route has a method with no access rule."""
    missing = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint in OPEN_ENDPOINTS or policy_for(rule.endpoint) == PUBLIC:
                continue
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                if rule_for(app, rule.endpoint, method) is None:
                    missing.append(f"{method} {rule.rule}")
    if missing:
        raise RuntimeError(f"routes without an access rule: {', '.join(sorted(missing))}")
