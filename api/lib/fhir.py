"""FHIR R4 pieces every resource shares: search Bundles, OperationOutcomes and references to
people. Plain JSON; the fhir.resources R4B models check it in the tests."""

FHIR_VERSION = "4.0.1"  # R4; fhir.resources.R4B models accept R4 content
# A stored id names a person and nothing more: a logical reference (by identifier), since
# no Patient or Practitioner is served here, and no name or display travels with it.
UUID_SYSTEM = "urn:ietf:rfc:3986"
# Rapport's roles in FHIR's words: a worker is a Practitioner, a peer a Patient.
RESOURCE_FOR_ROLE = {"worker": "Practitioner", "peer": "Patient"}


def person(resource_type: str, user_id) -> dict:
    """A Reference to a person by id alone."""
    return {"type": resource_type,
            "identifier": {"system": UUID_SYSTEM, "value": f"urn:uuid:{user_id}"}}


def full_url(base_url: str, resource: dict) -> str:
    return f"{base_url}/{resource['resourceType']}/{resource['id']}"


def bundle(resources: list[dict], base_url: str, links: dict[str, str],
           total: int | None = None) -> dict:
    """A searchset Bundle of `resources` (one page of `total`), with its paging `links`
    (relation → URL: self, first, previous, next, last)."""
    return {"resourceType": "Bundle", "type": "searchset",
            "total": len(resources) if total is None else total,
            "link": [{"relation": relation, "url": url} for relation, url in links.items()],
            "entry": [{"fullUrl": full_url(base_url, resource), "resource": resource,
                       "search": {"mode": "match"}} for resource in resources]}


def outcome(code: str, diagnostics: str) -> dict:
    return {"resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": code, "diagnostics": diagnostics}]}
