"""Schemathesis over every operation of the spec: all default checks, 50+ examples each.

The schema is the committed openapi/openapi.json (a test proves it equals what the code
generates); requests go in-process to the migrated, content-loaded test app.
"""

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

SPEC_FILE = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"

schema = schemathesis.openapi.from_path(str(SPEC_FILE))


@schema.parametrize()
@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_keeps_its_contract(case, app):
    case.call_and_validate(app=app)
