import uuid

import pytest

from api.db.unit_of_work import unit_of_work
from api.extensions import db
from api.jobs import tasks
from api.lib.clock import utcnow
from api.models import OAuthClient, OAuthGrant, User
from api.services.integrations import oauth
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver():
    service = Receiver()
    yield service
    service.close()


def register(client, admin, agency_id, url, event_types, status=201, **extra):
    answer = client.post(f"/api/v1/agencies/{agency_id}/webhooks", headers=admin.headers,
                         json={"url": url, "event_types": event_types, **extra})
    assert answer.status_code == status, answer.get_json()
    return answer.get_json()


def deliver(app, now=None) -> int:
    """What the job queue does: send every delivery whose time has come."""
    with app.app_context():
        return tasks.sweep_webhooks(now)


def make_app_client(app, agency_id: str, name: str = "Goal tracker") -> str:
    """An OAuth app of the agency (inserted directly: the /oauth endpoints are elsewhere)."""
    with app.app_context(), unit_of_work():
        made = OAuthClient(client_id=oauth.new_secret(oauth.CLIENT_PREFIX)[:48],
                           agency_id=uuid.UUID(agency_id), name=name,
                           redirect_uris=["https://app.example.org/cb"],
                           scope="goals:read goals:write")
        db.session.add(made)
        db.session.flush()
        return str(made.id)


def grant(app, client_id: str, person, scope: str = "goals:read") -> str:
    with app.app_context(), unit_of_work():
        made = OAuthGrant(client_id=uuid.UUID(client_id), user_id=uuid.UUID(person.id),
                          scope=scope)
        db.session.add(made)
        db.session.flush()
        return str(made.id)


def revoke_grant(app, grant_id: str) -> None:
    with app.app_context(), unit_of_work():
        db.session.get(OAuthGrant, uuid.UUID(grant_id)).revoked_at = utcnow()


def person(app, actor) -> User:
    with app.app_context():
        return db.session.get(User, uuid.UUID(actor.id))
