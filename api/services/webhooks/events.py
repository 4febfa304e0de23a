"""The events, and who hears each (least access), written in the transaction that causes
them (a transactional outbox): if the change commits, its messages are there to send; if it
rolls back, they never were. The session remembers the new deliveries, so that after the
commit the job queue sends them at once (api.jobs); a sweep sends what a lost nudge left.

Payloads are thin: the type, ids and a time. Never a name, a title or any words a person
wrote: an app fetches details through the API with a person's token, so the read is theirs
to see in their access log.

Who hears what:
- an agency's own endpoint (no app): its published content, and partnerships made or ended
  under it (ids only). Never anything about goals or check-ins.
- an endpoint registered for an app: partnership, goal and check-in events, only about
  partnerships where a member has a live grant to that app that includes goals:read.
"""

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from api.extensions import db
from api.lib.clock import iso, utcnow
from api.models import OAuthClient, OAuthGrant, WebhookDelivery, WebhookEndpoint

CONTENT_PUBLISHED = "content.published"
PARTNERSHIP_CREATED = "partnership.created"
PARTNERSHIP_ENDED = "partnership.ended"
GOAL_ACHIEVED = "goal.achieved"
CHECKIN_OVERDUE = "checkin.overdue"
TEST = "webhook.test"
AGENCY_EVENTS = (CONTENT_PUBLISHED, PARTNERSHIP_CREATED, PARTNERSHIP_ENDED)
APP_EVENTS = (PARTNERSHIP_CREATED, PARTNERSHIP_ENDED, GOAL_ACHIEVED, CHECKIN_OVERDUE)
EVENT_TYPES = (CONTENT_PUBLISHED, PARTNERSHIP_CREATED, PARTNERSHIP_ENDED, GOAL_ACHIEVED,
               CHECKIN_OVERDUE)
# The scope a person grants an app that lets it hear about their partnership.
APP_SCOPE = "goals:read"

# The session's info key: deliveries to send once this commit lands.
NEW = "rapport.webhooks.new"


def new_msg_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def payload(event_type: str, data: dict, at: datetime) -> dict:
    return {"type": event_type, "timestamp": iso(at), "data": data}


def row(endpoint_id: uuid.UUID, event_type: str, event_id: str, data: dict,
        now: datetime) -> dict:
    return {"id": uuid.uuid4(), "endpoint_id": endpoint_id, "msg_id": new_msg_id(),
            "event_id": event_id, "event_type": event_type,
            "payload": payload(event_type, data, now), "created_at": now, "status": "pending",
            "attempts": 0, "next_attempt_at": now}


def insert_once(rows: list[dict]) -> None:
    """Queue deliveries, skipping any an endpoint already has for the same event."""
    if not rows:
        return
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    db.session.execute(dialect.insert(WebhookDelivery).on_conflict_do_nothing(
        index_elements=["endpoint_id", "event_id"]), rows)
    db.session.info.setdefault(NEW, set()).update(r["id"] for r in rows)


def take_new(session) -> set[uuid.UUID]:
    return session.info.pop(NEW, set())


def _wants(endpoint: WebhookEndpoint, event_type: str) -> bool:
    return event_type in (endpoint.event_types or ())


def agency_endpoints(agency_id: uuid.UUID | None, event_type: str) -> list[WebhookEndpoint]:
    if agency_id is None or event_type not in AGENCY_EVENTS:
        return []
    found = db.session.scalars(select(WebhookEndpoint).where(
        WebhookEndpoint.agency_id == agency_id, WebhookEndpoint.client_id.is_(None),
        WebhookEndpoint.disabled_at.is_(None)))
    return [endpoint for endpoint in found if _wants(endpoint, event_type)]


def app_listeners(member_ids: Iterable[uuid.UUID],
                  event_type: str | None = None) -> dict[uuid.UUID, set[uuid.UUID]]:
    """Person id -> the app endpoints (wanting `event_type`, if given) that may hear about
    them: the app is not revoked, and the person's grant to it is live and holds goals:read."""
    member_ids = list(member_ids)
    if not member_ids or (event_type is not None and event_type not in APP_EVENTS):
        return {}
    rows = db.session.execute(
        select(OAuthGrant.user_id, OAuthGrant.scope, WebhookEndpoint)
        .join(OAuthClient, OAuthClient.id == OAuthGrant.client_id)
        .join(WebhookEndpoint, WebhookEndpoint.client_id == OAuthGrant.client_id)
        .where(OAuthGrant.user_id.in_(member_ids), OAuthGrant.revoked_at.is_(None),
               OAuthClient.revoked_at.is_(None), WebhookEndpoint.disabled_at.is_(None)))
    found: dict[uuid.UUID, set[uuid.UUID]] = {}
    for user_id, scope, endpoint in rows:
        if APP_SCOPE in scope.split() and (event_type is None or _wants(endpoint, event_type)):
            found.setdefault(user_id, set()).add(endpoint.id)
    return found


def _about_partnership(event_type: str, event_id: str, partnership, data: dict,
                       now: datetime | None = None) -> None:
    now = now or utcnow()
    with db.session.no_autoflush:
        endpoints = {e.id for e in agency_endpoints(partnership.agency_id, event_type)}
        for listening in app_listeners(
                (partnership.worker_id, partnership.peer_id), event_type).values():
            endpoints |= listening
    insert_once([row(endpoint_id, event_type, event_id, data, now)
                 for endpoint_id in sorted(endpoints)])


def partnership_created(partnership) -> None:
    _about_partnership(PARTNERSHIP_CREATED, f"{PARTNERSHIP_CREATED}:{partnership.id}",
                       partnership, {"partnership_id": str(partnership.id)})


def partnership_ended(partnership) -> None:
    _about_partnership(PARTNERSHIP_ENDED, f"{PARTNERSHIP_ENDED}:{partnership.id}",
                       partnership, {"partnership_id": str(partnership.id)})


def goal_achieved(goal, partnership) -> None:
    """The goal's status became achieved (again, after being reopened: a new event)."""
    now = utcnow()
    data = {"partnership_id": str(partnership.id), "goal_id": str(goal.id)}
    # Only apps hear about goals: the agency endpoint is never asked (AGENCY_EVENTS).
    _about_partnership(GOAL_ACHIEVED, f"{GOAL_ACHIEVED}:{goal.id}:{now:%Y%m%dT%H%M%S.%f}",
                       partnership, data, now)


def checkin_overdue(found: list[tuple[uuid.UUID, str, set[uuid.UUID]]],
                    now: datetime | None = None) -> int:
    """(partnership id, the overdue period's key, endpoint ids) for each overdue
    partnership: one message per period per endpoint, however often the scan runs."""
    now = now or utcnow()
    rows = [row(endpoint_id, CHECKIN_OVERDUE, f"{CHECKIN_OVERDUE}:{period}",
                {"partnership_id": str(partnership_id)}, now)
            for partnership_id, period, endpoints in found for endpoint_id in sorted(endpoints)]
    insert_once(rows)
    return len(rows)


def content_published(item, kind: str) -> None:
    """An agency's own tip, FAQ or topic was published: its slug, kind and languages."""
    now = utcnow()
    with db.session.no_autoflush:
        endpoints = agency_endpoints(item.agency_id, CONTENT_PUBLISHED)
    if not endpoints:
        return
    languages = sorted(t.language for t in item.translations)
    data = {"kind": kind, "slug": item.slug, "languages": languages}
    event_id = f"{CONTENT_PUBLISHED}:{kind}:{item.id}:{now:%Y%m%dT%H%M%S.%f}"
    insert_once([row(e.id, CONTENT_PUBLISHED, event_id, data, now) for e in endpoints])


def test_message(endpoint: WebhookEndpoint) -> dict:
    now = utcnow()
    message = row(endpoint.id, TEST, f"{TEST}:{uuid.uuid4()}",
                  {"endpoint_id": str(endpoint.id)}, now)
    insert_once([message])
    return message
