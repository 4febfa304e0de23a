"""Invites: how a peer joins a worker, with no email needed."""

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import abort

from api.http import access
from api.http.openapi import Blueprint
from api.lib.addresses import client_address
from api.resources.auth import account_error, limited, session_response
from api.schemas.accounts import (
    AcceptedInviteSchema,
    AcceptInviteSchema,
    InviteSchema,
)
from api.schemas.common import EmptyBodySchema
from api.services.accounts import devices, sessions, throttle
from api.services.accounts.people import AccountError
from api.services.support import partnerships

blp = Blueprint("invites", __name__, url_prefix="/api/v1/invites",
                description="A worker invites a peer; the peer joins with a short code.")


@blp.route("")
class Invites(MethodView):
    @access.signed_in("worker")
    @blp.arguments(EmptyBodySchema, required=False)
    @blp.response(201, InviteSchema)
    @blp.errors(422)
    def post(self, _data):
        """Create a single-use invite code for a peer (valid for 7 days)."""
        code, invite = partnerships.create_invite(access.caller())
        return {"code": code, "expires_at": invite.expires_at}


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
                abort(404, message="This invite code is not valid, was used, or has expired.")
            try:
                partnership = partnerships.accept_invite(invite, peer, **data)
            except AccountError as error:
                if error.status == 409:
                    attempt.keep(throttle.TAKEN_NAMES)
                account_error(error)
            except partnerships.InviteUsed:
                abort(404, message="This invite code is not valid, was used, or has expired.")
            if peer is None:
                attempt.keep(throttle.NEW_ACCOUNTS)
        if peer is not None:
            return {"partnership_id": partnership.id}
        token, session = sessions.start(partnership.peer, current_app.config["SESSION_LIFETIME"])
        return session_response(AcceptedInviteSchema(), {"partnership_id": partnership.id},
                                201, token, session.expires_at,
                                devices.issue(partnership.peer.id), use_cookie)
