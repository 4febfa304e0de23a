"""Agency API keys: integrators send one in X-API-Key for a higher public rate limit."""

from flask.views import MethodView

from api.http import access
from api.http.openapi import PAGING_HEADERS, Blueprint, paging_headers
from api.resources.agencies import own_agency
from api.schemas.api_keys import ApiKeyCreateSchema, ApiKeySchema, NewApiKeySchema
from api.schemas.common import PagedArgsSchema
from api.services.accounts import api_keys

blp = Blueprint("api_keys", __name__, url_prefix="/api/v1/agencies",
                description="For agency admins: keys for the agency's integrations. A key "
                "is shown once, when made; revoking one stops it at once.")


@blp.route("/<uuid:agency_id>/api-keys")
class ApiKeys(MethodView):
    @access.signed_in("agency_admin")
    @blp.arguments(PagedArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, ApiKeySchema(many=True), headers=PAGING_HEADERS)
    @blp.errors(404, 422)
    def get(self, agency_id, page, page_size):
        """List your agency's API keys, newest first (revoked ones too)."""
        admin = own_agency(agency_id)
        items, total = api_keys.for_agency(admin, page, page_size)
        return items, 200, paging_headers(page, page_size, total)

    # No Idempotency-Key: a replay would mean keeping the key itself for 30 days.
    @access.signed_in("agency_admin")
    @blp.arguments(ApiKeyCreateSchema)
    @blp.response(201, NewApiKeySchema)
    @blp.errors(404, 422)
    def post(self, data, agency_id):
        """Make an API key; its full text is shown in this answer only."""
        admin = own_agency(agency_id)
        key, api_key = api_keys.create(admin, data["name"])
        return {"id": api_key.id, "name": api_key.name, "prefix": api_key.prefix, "key": key,
                "created_at": api_key.created_at}, 201


@blp.route("/<uuid:agency_id>/api-keys/<uuid:key_id>")
class ApiKeyById(MethodView):
    @access.signed_in("agency_admin")
    @blp.response(204)
    @blp.errors(404)
    def delete(self, agency_id, key_id):
        """Revoke an API key: it stops working from the next request."""
        admin = own_agency(agency_id)
        api_key = api_keys.get(admin, key_id)
        if api_key is None:
            access.deny(404, admin, object_type="api_key", object_id=key_id)
        api_keys.revoke(admin, api_key)
        return "", 204
