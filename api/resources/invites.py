"""Invites: how a peer joins a worker, with no email needed."""

import uuid
from urllib.parse import urlencode

from flask import current_app, request, url_for
from flask.views import MethodView
from flask_smorest import abort

from api.http import access
from api.http.openapi import PAGING_HEADERS, Blueprint, paging_headers
from api.lib import qr
from api.lib.addresses import client_address
from api.resources.auth import account_error, limited, session_response
from api.schemas.accounts import (
    AcceptedInviteSchema,
    AcceptInviteSchema,
    InviteArgsSchema,
    InviteSchema,
    PendingInviteSchema,
)
from api.schemas.common import EmptyBodySchema, PagedArgsSchema
from api.services import audit
from api.services.accounts import devices, sessions, throttle
from api.services.accounts.people import AccountError
from api.services.support import partnerships

blp = Blueprint("invites", __name__, url_prefix="/api/v1/invites",
                description="A worker invites a peer; the peer joins with a short code.")


INVITE_NOT_VALID = "This invite code is not valid, was used, or has expired."


def join_url(code: str, lang: str | None) -> str:
    """The app's join page on this host, with the code (and the language) filled in."""
    query = {"code": code, **({"lang": lang} if lang else {})}
    return f"{url_for('frontend.app_shell', _external=True)}#/join?{urlencode(query)}"


@blp.route("")
class Invites(MethodView):
    @access.signed_in("worker")
    @blp.arguments(PagedArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, PendingInviteSchema(many=True), headers=PAGING_HEADERS)
    @blp.errors(422)
    def get(self, page, page_size):
        """List your invites no one has used yet (not expired or cancelled), newest first."""
        worker = access.caller()
        items, total = partnerships.pending_invites(worker, page, page_size)
        audit.record_read(worker, "invite.list")
        return items, 200, paging_headers(page, page_size, total)

    # No Idempotency-Key (tests/http/test_openapi.py, SECRET_ISSUING): a replay would mean
    # keeping the code, in the answer, for 30 days. A retried POST makes a second invite;
    # the first expires unused, or its worker cancels it from the pending list.
    @access.signed_in("worker")
    @blp.arguments(InviteArgsSchema, location="query", as_kwargs=True)
    @blp.arguments(EmptyBodySchema, required=False)
    @blp.response(201, InviteSchema)
    @blp.errors(422)
    def post(self, _data, lang=None):
        """Create a single-use invite code for a peer (7 days), with a join link and QR code."""
        code, invite = partnerships.create_invite(access.caller())
        url = join_url(code, lang)
        return {"id": invite.id, "created_at": invite.created_at, "code": code,
                "expires_at": invite.expires_at, "join_url": url, "qr": qr.svg(url)}


@blp.route("/<uuid:invite_id>")
class InviteById(MethodView):
    @access.signed_in("worker")
    @blp.response(204)
    @blp.errors(404)
    def delete(self, invite_id: uuid.UUID):
        """Cancel one of your pending invites: its code stops working at once."""
        worker = access.caller()
        invite = partnerships.own_pending_invite(worker, invite_id)
        if invite is None:  # another worker's, used, expired or unknown: all look the same
            access.deny(404, worker, object_type="invite", object_id=invite_id)
        partnerships.revoke_invite(worker, invite)
        return "", 204


@blp.route("/<code:code>/accept")
class AcceptInvite(MethodView):
    @access.anyone
    @blp.arguments(AcceptInviteSchema, required=False)
    @blp.response(201, AcceptedInviteSchema)
    @blp.errors(401, 403, 404, 409, 422, 429)
    def post(self, data, code):
        """Join with an invite code: as a new peer account, or signed in as a peer."""
        peer = access.optional_caller()
        if peer is not None and peer.role != "peer":
            access.deny(403, peer, "Only peers can accept an invite.")
        use_cookie = data.pop("use_cookie")
        if peer is None:
            missing = [f for f in ("display_name", "username", "password") if f not in data]
            if missing:
                abort(422, errors={f: ["Needed to create your account."] for f in missing})
        elif data:
            abort(422, errors={f: ["You already have an account."] for f in data})

        # Codes are short enough to read aloud, so guessing them is limited per address; so
        # are new accounts, and usernames found taken (each says that account exists).
        address = client_address(request.remote_addr)
        checks = [(throttle.CODES, address)]
        if peer is None:
            checks += [(throttle.NEW_ACCOUNTS, address), (throttle.TAKEN_NAMES, address)]
        with limited(*checks) as attempt:
            invite = partnerships.open_invite(code)
            if invite is None:
                attempt.keep(throttle.CODES)
                abort(404, message=INVITE_NOT_VALID)
            try:
                partnership = partnerships.accept_invite(invite, peer, **data)
            except AccountError as error:
                if error.status == 409:
                    attempt.keep(throttle.TAKEN_NAMES)
                account_error(error)
            except partnerships.InviteUsed:
                abort(404, message=INVITE_NOT_VALID)
            if peer is None:
                attempt.keep(throttle.NEW_ACCOUNTS)
        if peer is not None:
            return {"partnership_id": partnership.id}
        token, session = sessions.start(partnership.peer, current_app.config["SESSION_LIFETIME"])
        return session_response(AcceptedInviteSchema(), {"partnership_id": partnership.id},
                                201, token, session.expires_at,
                                devices.issue(partnership.peer.id), use_cookie)
