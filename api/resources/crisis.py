"""Crisis resources: the help lines shown when someone needs help now."""

from flask.views import MethodView
from flask_smorest import abort

from api.caching.public_cache import cached
from api.http import access
from api.http.language import language_headers, negotiate
from api.http.openapi import CONTENT_HEADERS, Blueprint
from api.http.policies import public
from api.resources.agencies import own_agency
from api.resources.scope import scoped_agency
from api.schemas.common import NoArgsSchema
from api.schemas.crisis import (
    AgencyCrisisSettingsInputSchema,
    AgencyCrisisSettingsSchema,
    CrisisQueryArgsSchema,
    CrisisResourceSchema,
)
from api.services.content import crisis

blp = Blueprint(
    "crisis", __name__, url_prefix="/api/v1",
    description="Crisis resources: who to call or text when someone needs help now. "
    "Everyone sees the default set (988 in the US); an agency adds its own or replaces it.",
)


@blp.route("/crisis-resources")
@public
class CrisisResources(MethodView):
    @cached()
    @blp.arguments(CrisisQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, CrisisResourceSchema(many=True), headers=CONTENT_HEADERS)
    @blp.cacheable
    @blp.localised
    @blp.errors(404, 422)
    def get(self, lang=None, agency=None):
        """List the help lines to show someone who needs help now."""
        language = negotiate(lang)
        items = crisis.resources_for(language, scoped_agency(agency))
        return items, 200, language_headers(language, *(item.language for item in items))


@blp.route("/agencies/<uuid:agency_id>/crisis-resources")
class AgencyCrisisResources(MethodView):
    @access.signed_in("agency_admin")
    @blp.arguments(NoArgsSchema, location="query")
    @blp.response(200, AgencyCrisisSettingsSchema)
    @blp.errors(404, 422)
    def get(self, _args, agency_id):
        """Get your agency's crisis resources, every language, and whether 988 comes first."""
        own_agency(agency_id)
        return crisis.agency_settings(crisis.get_agency(agency_id))

    @access.signed_in("agency_admin")
    @blp.arguments(AgencyCrisisSettingsInputSchema)
    @blp.response(200, AgencyCrisisSettingsSchema)
    @blp.errors(404, 422)
    def put(self, data, agency_id):
        """Replace your agency's whole set of crisis resources in one step."""
        admin = own_agency(agency_id)
        try:
            return crisis.replace(admin, agency_id, data["include_default"], data["resources"])
        except crisis.CrisisError as error:
            abort(422, errors=error.errors)
