"""Reminders by Web Push: the server's public key, and the devices of the person signed in."""

from flask.views import MethodView
from flask_smorest import abort

from api.http import access
from api.http.idempotency import idempotent
from api.http.openapi import Blueprint
from api.http.policies import public
from api.schemas.common import NoArgsSchema
from api.schemas.reminders import (
    PushKeySchema,
    PushSubscriptionCreateSchema,
    PushSubscriptionSchema,
    PushSubscriptionUpdateSchema,
)
from api.services import audit
from api.services.reminders import sending, subscriptions
from api.services.reminders.subscriptions import SubscriptionError

blp = Blueprint("reminders", __name__, url_prefix="/api/v1",
                description="Reminders and alerts by Web Push. A device subscribes with the "
                "server's key, then says what it wants to hear about and when. By default a "
                "notification names no one and holds no words anyone wrote; the app loads "
                "the details when opened, so each read is in the access log.")


def _shown(device):
    session = access.current_session()
    device.this_device = session is not None and device.session_id == session.id
    return device


def _problem(error: SubscriptionError):
    abort(422, errors={error.field: [error.message]})


def _own(subscription_id):
    user = access.caller()
    device = subscriptions.get(user, subscription_id)
    if device is None:
        access.deny(404, user, object_type="push_subscription", object_id=subscription_id)
    return user, device


@blp.route("/push/key")
@public
class PushKey(MethodView):
    @access.anyone
    @blp.arguments(NoArgsSchema, location="query")
    @blp.response(200, PushKeySchema)
    @blp.cacheable
    @blp.errors(422)
    def get(self, _args):
        """Get the key browsers subscribe with (VAPID application server key)."""
        return {"public_key": sending.public_key()}


@blp.route("/me/push-subscriptions")
class PushSubscriptions(MethodView):
    @access.signed_in()
    @blp.arguments(NoArgsSchema, location="query")
    @blp.response(200, PushSubscriptionSchema(many=True))
    @blp.errors(422)
    def get(self, _args):
        """List your devices that take reminders, with each one's choices."""
        user = access.caller()
        audit.record_read(user, "push_subscription.list", object_type="user", object_id=user.id)
        return [_shown(device) for device in subscriptions.mine(user)]

    @access.signed_in()
    @idempotent
    @blp.arguments(PushSubscriptionCreateSchema)
    @blp.response(201, PushSubscriptionSchema)
    @blp.alt_response(200, schema=PushSubscriptionSchema,
                      description="This browser was already subscribed: keys and choices "
                      "are updated.")
    @blp.errors(409, 422)
    def post(self, data):
        """Let this browser take reminders (after the person chose them), with its choices.

        Send what `PushSubscription.toJSON()` gives (`endpoint`, `keys`) plus the device's
        `time_zone` and `language`. The subscription belongs to this session: signing out
        removes it. A browser someone else had subscribed moves to you when it sends the same
        keys; other keys with their endpoint are refused (422)."""
        user = access.caller()
        data.pop("expiration_time", None)
        try:
            device, created = subscriptions.save(user, access.current_session(), **data)
        except SubscriptionError as error:
            _problem(error)
        return _shown(device), 201 if created else 200


@blp.route("/me/push-subscriptions/<uuid:subscription_id>")
class PushSubscriptionById(MethodView):
    @access.signed_in()
    @blp.arguments(NoArgsSchema, location="query")
    @blp.response(200, PushSubscriptionSchema)
    @blp.errors(404, 422)
    def get(self, _args, subscription_id):
        """Get one of your devices and its choices."""
        user, device = _own(subscription_id)
        audit.record_read(user, "push_subscription.read", object_type="push_subscription",
                          object_id=device.id)
        return _shown(device)

    @access.signed_in()
    @blp.arguments(PushSubscriptionUpdateSchema)
    @blp.response(200, PushSubscriptionSchema)
    @blp.errors(404, 422)
    def patch(self, data, subscription_id):
        """Change what this device hears about, how much it says, and when."""
        user, device = _own(subscription_id)
        try:
            subscriptions.change(user, device, **data)
        except SubscriptionError as error:
            _problem(error)
        return _shown(device)

    @access.signed_in()
    @blp.response(204)
    @blp.errors(404)
    def delete(self, subscription_id):
        """Stop reminders on a device; what was waiting for it is dropped."""
        user, device = _own(subscription_id)
        subscriptions.remove(user, device)
        return "", 204
