"""Webhooks: an agency admin registers endpoints that hear what happens (Standard Webhooks)."""

from flask.views import MethodView
from flask_smorest import abort

from api.http import access
from api.http.openapi import PAGING_HEADERS, Blueprint, paging_headers
from api.resources.agencies import own_agency
from api.schemas.common import EmptyBodySchema, NoArgsSchema, PagedArgsSchema
from api.schemas.webhooks import (
    NewWebhookSchema,
    RotatedSecretSchema,
    WebhookCreateSchema,
    WebhookDeliverySchema,
    WebhookSchema,
    WebhookUpdateSchema,
)
from api.services.webhooks import endpoints
from api.services.webhooks.endpoints import WebhookError

blp = Blueprint("webhooks", __name__, url_prefix="/api/v1/agencies",
                description="For agency admins: webhooks signed per the Standard Webhooks "
                "specification (webhook-id, webhook-timestamp, webhook-signature). Payloads "
                "hold a type, a time and ids only, never anyone's words: fetch details "
                "through the API. Failed deliveries are retried with back-off; an endpoint "
                "that keeps failing (or answers 410) is switched off.")


def _problem(error: WebhookError):
    abort(422, errors={error.field: [error.message]})


def _own(agency_id, endpoint_id):
    admin = own_agency(agency_id)
    endpoint = endpoints.get(admin, endpoint_id)
    if endpoint is None:
        access.deny(404, admin, object_type="webhook_endpoint", object_id=endpoint_id)
    return admin, endpoint


@blp.route("/<uuid:agency_id>/webhooks")
class Webhooks(MethodView):
    @access.signed_in("agency_admin")
    @blp.arguments(PagedArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, WebhookSchema(many=True), headers=PAGING_HEADERS)
    @blp.errors(404, 422)
    def get(self, agency_id, page, page_size):
        """List your agency's webhook endpoints, newest first (switched-off ones too)."""
        admin = own_agency(agency_id)
        items, total = endpoints.for_agency(admin, page, page_size)
        return items, 200, paging_headers(page, page_size, total)

    # No Idempotency-Key: a replay would mean keeping the signing secret for 30 days.
    @access.signed_in("agency_admin")
    @blp.arguments(WebhookCreateSchema)
    @blp.response(201, NewWebhookSchema)
    @blp.errors(404, 422)
    def post(self, data, agency_id):
        """Register a webhook endpoint; its signing secret is shown in this answer only."""
        admin = own_agency(agency_id)
        try:
            secret, endpoint = endpoints.create(admin, **data)
        except WebhookError as error:
            _problem(error)
        shown = {name: getattr(endpoint, name) for name in WebhookSchema().fields}
        return {**shown, "secret": secret}, 201


@blp.route("/<uuid:agency_id>/webhooks/<uuid:endpoint_id>")
class WebhookById(MethodView):
    @access.signed_in("agency_admin")
    @blp.arguments(NoArgsSchema, location="query")
    @blp.response(200, WebhookSchema)
    @blp.errors(404, 422)
    def get(self, _args, agency_id, endpoint_id):
        """See one webhook endpoint: its events, and whether it is switched off and why."""
        return _own(agency_id, endpoint_id)[1]

    @access.signed_in("agency_admin")
    @blp.arguments(WebhookUpdateSchema)
    @blp.response(200, WebhookSchema)
    @blp.errors(404, 422)
    def patch(self, data, agency_id, endpoint_id):
        """Change an endpoint's address, description or events, or switch it back on."""
        admin, endpoint = _own(agency_id, endpoint_id)
        try:
            return endpoints.change(admin, endpoint, **data)
        except WebhookError as error:
            _problem(error)

    @access.signed_in("agency_admin")
    @blp.response(204)
    @blp.errors(404)
    def delete(self, agency_id, endpoint_id):
        """Remove a webhook endpoint and its delivery log; nothing more is sent to it."""
        admin, endpoint = _own(agency_id, endpoint_id)
        endpoints.delete(admin, endpoint)
        return "", 204


@blp.route("/<uuid:agency_id>/webhooks/<uuid:endpoint_id>/rotate-secret")
class WebhookSecretRotation(MethodView):
    @access.signed_in("agency_admin")
    @blp.arguments(EmptyBodySchema, required=False)
    @blp.response(200, RotatedSecretSchema)
    @blp.errors(404, 422)
    def post(self, _data, agency_id, endpoint_id):
        """Make a new signing secret (shown once); the old one still signs for a day."""
        admin, endpoint = _own(agency_id, endpoint_id)
        secret = endpoints.rotate(admin, endpoint)
        return {"secret": secret, "previous_secret_until": endpoint.previous_secret_until}


@blp.route("/<uuid:agency_id>/webhooks/<uuid:endpoint_id>/deliveries")
class WebhookDeliveries(MethodView):
    @access.signed_in("agency_admin")
    @blp.arguments(PagedArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, WebhookDeliverySchema(many=True), headers=PAGING_HEADERS)
    @blp.errors(404, 422)
    def get(self, agency_id, endpoint_id, page, page_size):
        """List an endpoint's messages, newest first, with each one's last attempt."""
        admin, endpoint = _own(agency_id, endpoint_id)
        items, total = endpoints.deliveries(admin, endpoint, page, page_size)
        return items, 200, paging_headers(page, page_size, total)


@blp.route("/<uuid:agency_id>/webhooks/<uuid:endpoint_id>/deliveries/<uuid:delivery_id>/replay")
class WebhookReplay(MethodView):
    @access.signed_in("agency_admin")
    @blp.arguments(EmptyBodySchema, required=False)
    @blp.response(202, WebhookDeliverySchema)
    @blp.errors(404, 422)
    def post(self, _data, agency_id, endpoint_id, delivery_id):
        """Send a message again, with the same webhook-id, from a fresh round of attempts."""
        admin, endpoint = _own(agency_id, endpoint_id)
        item = endpoints.delivery(endpoint, delivery_id)
        if item is None:
            access.deny(404, admin, object_type="webhook_delivery", object_id=delivery_id)
        return endpoints.replay(admin, endpoint, item), 202


@blp.route("/<uuid:agency_id>/webhooks/<uuid:endpoint_id>/test")
class WebhookTest(MethodView):
    @access.signed_in("agency_admin")
    @blp.arguments(EmptyBodySchema, required=False)
    @blp.response(202, WebhookDeliverySchema)
    @blp.errors(404, 422)
    def post(self, _data, agency_id, endpoint_id):
        """Send a webhook.test message to the endpoint now."""
        admin, endpoint = _own(agency_id, endpoint_id)
        return endpoints.send_test(admin, endpoint), 202
