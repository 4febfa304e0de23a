"""Test data: people, agencies and partnerships, made through the services the API uses.

Actors and worlds hold plain values (ids, tokens), never ORM objects, so tests can use them
outside any app context or session.
"""

import functools
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from flask import Flask
from sqlalchemy import select, update

from api.db.unit_of_work import unit_of_work
from api.extensions import db
from api.lib.clock import utcnow
from api.models import (
    OAuthClient,
    OAuthGrant,
    OAuthToken,
    Partnership,
    PartnershipHandover,
    User,
)
from api.services.accounts import people as accounts
from api.services.accounts import sessions
from api.services.integrations import oauth, scopes
from api.services.support import goals, handovers, partnerships

PASSWORD = "blue kettle morning walk"
LIFETIME = timedelta(days=1)


OAUTH_REDIRECT = "https://journal.example.org/callback"


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


@dataclass
class Actor:
    name: str
    id: str | None = None
    role: str | None = None
    token: str | None = None
    email: str | None = None
    username: str | None = None
    password: str = PASSWORD

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    @property
    def credentials(self) -> dict[str, str]:
        who = {"email": self.email} if self.email else {"username": self.username}
        return {**who, "password": self.password}


@dataclass
class World:
    """Two agencies, each with an admin and one worker-peer partnership."""

    app: Flask
    actors: dict[str, Actor] = field(default_factory=dict)
    partnership_a: str = ""
    partnership_b: str = ""
    agency_a: str = ""
    agency_b: str = ""
    last_done_milestone: str = ""

    def __getitem__(self, name: str) -> Actor:
        return self.actors[name]

    def fresh_invite(self, worker: str = "worker_a") -> str:
        with self.app.app_context():
            return invite_code(self[worker])

    def fresh_invite_id(self, worker: str = "worker_a") -> str:
        """A new pending invite of `worker`, by its id."""
        with self.app.app_context():
            return str(make_invite(self[worker])[1])

    def fresh_join_code(self, side: str = "a") -> str:
        """A new join code of agency A (or B)."""
        with self.app.app_context():
            return join_code(self[f"admin_{side}"])

    def fresh_join_code_id(self, side: str = "a") -> str:
        """The id of a new join code of agency A (or B)."""
        with self.app.app_context(), unit_of_work():
            admin = db.session.get(User, uuid.UUID(self[f"admin_{side}"].id))
            return str(accounts.create_join_code(admin)[1].id)

    def fresh_member(self, side: str = "a") -> str:
        """The id of a new worker of agency A (or B) who carries no partnership."""
        code = self.fresh_join_code(side)
        with self.app.app_context():
            return make_worker("member", agency_code=code).id

    def fresh_goal(self, title: str = "Walk every morning") -> str:
        """A new goal in partnership A, set by worker A."""
        with self.app.app_context():
            return str(make_goal(self["worker_a"], self.partnership_a, title).id)

    def fresh_self_check(self, worker: str = "worker_a") -> str:
        """A new self-check stored by `worker`, every practice answered 3."""
        from api.services.surveys import instruments, responses

        with self.app.app_context(), unit_of_work():
            row = instruments.newest(instruments.SELF_CHECK)
            answers = [{"item": item["id"], "value": 3} for item in row.definition["items"]]
            user = db.session.get(User, uuid.UUID(self[worker].id))
            return str(responses.store(user, row, answers)[0].id)

    def fresh_feed_token(self, member: str = "peer_a") -> str:
        """A calendar feed token for partnership A, made by `member`."""
        from api.services.support import feeds

        with self.app.app_context(), unit_of_work():
            user = db.session.get(User, uuid.UUID(self[member].id))
            return feeds.create(user, db.session.get(Partnership,
                                                     uuid.UUID(self.partnership_a)))

    def fresh_agency_item(self, kind: str = "tips") -> str:
        """A published tip, FAQ or group topic of agency A, by a fresh slug."""
        from api.services.content import agency_content

        slug = unique("item-")
        text = {
            "tips": {"title": "Our tip", "summary": "Short.", "body": "Long.", "actions": [],
                     "questions": []},
            "faqs": {"question": "Why?", "answer": "So."},
            "topics": {"title": "Our topic", "opening_question": "What helps?",
                       "deeper_questions": ["Why?", "How?"], "guide_open": "Open.",
                       "guide_safety": "Anyone may pass.", "guide_distress": "Pause."},
        }[kind]
        create = {"tips": agency_content.create_tip, "faqs": agency_content.create_faq,
                  "topics": agency_content.create_topic}[kind]
        with self.app.app_context(), unit_of_work():
            admin = db.session.get(User, uuid.UUID(self["admin_a"].id))
            create(admin, {"slug": slug, "status": "published", "text": {"en": text}})
        return slug

    def fresh_api_key(self) -> str:
        """The id of a new API key of agency A, made by its admin."""
        from api.services.accounts import api_keys

        with self.app.app_context(), unit_of_work():
            admin = db.session.get(User, uuid.UUID(self["admin_a"].id))
            return str(api_keys.create(admin, "Website")[1].id)

    def fresh_webhook(self) -> str:
        """The id of a new webhook endpoint of agency A (to the tests' loopback)."""
        from api.services.webhooks import endpoints

        with self.app.app_context(), unit_of_work():
            admin = db.session.get(User, uuid.UUID(self["admin_a"].id))
            return str(endpoints.create(admin, url="http://127.0.0.1:9/hook",
                                        event_types=["content.published"])[1].id)

    def fresh_webhook_delivery(self) -> tuple[str, str]:
        """(endpoint id, delivery id): a webhook.test message of a new endpoint of agency A."""
        from api.services.webhooks import endpoints

        endpoint_id = self.fresh_webhook()
        with self.app.app_context(), unit_of_work():
            admin = db.session.get(User, uuid.UUID(self["admin_a"].id))
            endpoint = endpoints.get(admin, uuid.UUID(endpoint_id))
            return endpoint_id, str(endpoints.send_test(admin, endpoint).id)

    def fresh_push_subscription(self, member: str = "peer_a") -> str:
        """The id of a new push subscription of `member` (a browser on a known push service);
        their oldest goes when they already have as many as anyone may."""
        from api.services.reminders import subscriptions

        with self.app.app_context(), unit_of_work():
            user = db.session.get(User, uuid.UUID(self[member].id))
            devices = subscriptions.mine(user)
            if len(devices) >= subscriptions.MAX_DEVICES:
                subscriptions.remove(user, min(devices, key=lambda d: d.created_at))
                db.session.flush()
            device, _ = subscriptions.save(user, None, **push_subscription_body())
            return str(device.id)

    def fresh_handover_target(self) -> str:
        """A new worker of agency A, to hand partnership A over to; any waiting request for
        partnership A is cancelled first (one waits per partnership)."""
        with self.app.app_context():
            new = make_worker("next_worker", agency_code=join_code(self["admin_a"]))
        with self.app.app_context(), unit_of_work():
            db.session.execute(update(PartnershipHandover).where(
                PartnershipHandover.partnership_id == uuid.UUID(self.partnership_a),
                PartnershipHandover.status == "waiting").values(status="cancelled"))
        return new.id

    def fresh_handover(self) -> str:
        """The id of a waiting request to move partnership A to a new worker of agency A."""
        to_worker = self.fresh_handover_target()
        with self.app.app_context(), unit_of_work():
            partnership_id = uuid.UUID(self.partnership_a)
            admin = db.session.get(User, uuid.UUID(self["admin_a"].id))
            current = db.session.get(Partnership, partnership_id).worker_id
            [made] = handovers.ask(admin, current, uuid.UUID(to_worker), [partnership_id])
            return str(made.id)

    def fresh_oauth_client(self, side: str = "a", scope: str = "goals:read") -> dict:
        """A new public OAuth app of agency A (or B): its row id and client_id."""
        from api.services.integrations import oauth

        with self.app.app_context(), unit_of_work():
            admin = db.session.get(User, uuid.UUID(self[f"admin_{side}"].id))
            client, _ = oauth.register_client(
                admin, name="Recovery Journal", redirect_uris=[OAUTH_REDIRECT], scope=scope,
                confidential=False)
            return {"id": str(client.id), "client_id": client.client_id}

    def oauth_request(self, scope: str = "goals:read") -> dict:
        """A valid authorization request of a new app of agency A, as query values."""
        return {"response_type": "code", "client_id": self.fresh_oauth_client()["client_id"],
                "redirect_uri": OAUTH_REDIRECT, "scope": scope, "state": "s",
                "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                "code_challenge_method": "S256"}

    def fresh_connected_app(self, member: str = "worker_a") -> str:
        """The id of `member`'s grant to a new app of agency A."""
        from api.services.integrations import oauth

        app_ids = self.fresh_oauth_client()
        with self.app.app_context(), unit_of_work():
            user = db.session.get(User, uuid.UUID(self[member].id))
            client = oauth.client_by_public_id(app_ids["client_id"])
            return str(oauth.approve(user, client, "goals:read").id)

    def celebratable_goal(self) -> str:
        """A goal with a milestone that is done (remembered in `last_done_milestone`)."""
        goal_id = self.fresh_goal()
        self.last_done_milestone = self.fresh_milestone(goal_id, done=True)
        return goal_id

    def fresh_milestone(self, goal_id: str | None = None, *, done: bool = False) -> str:
        with self.app.app_context():
            return str(make_milestone(self["worker_a"], goal_id or self.fresh_goal(),
                                      done=done).id)


def push_subscription_body(**choices) -> dict:
    """What a browser's PushSubscription.toJSON() gives, on Chrome's push service."""
    import base64
    import os

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    def b64url(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return {"endpoint": f"https://fcm.googleapis.com/fcm/send/{b64url(os.urandom(24))}",
            "keys": {"p256dh": b64url(point), "auth": b64url(os.urandom(16))}, **choices}


def committed(factory):
    """Run a factory as one unit of work, as a request or a CLI command would
    (services only change the session; api.db.unit_of_work commits)."""

    @functools.wraps(factory)
    def wrapper(*args, **kwargs):
        with unit_of_work():
            return factory(*args, **kwargs)

    return wrapper


@committed
def signed_in(user: User, name: str) -> Actor:
    token, _ = sessions.start(user, LIFETIME)
    return Actor(name, str(user.id), user.role, token, user.email, user.username)


@committed
def invite_code(worker: Actor) -> str:
    code, _ = partnerships.create_invite(db.session.get(User, uuid.UUID(worker.id)))
    return code


@committed
def make_invite(worker: Actor) -> tuple[str, uuid.UUID]:
    """A new invite's code and id."""
    code, invite = partnerships.create_invite(db.session.get(User, uuid.UUID(worker.id)))
    return code, invite.id


@committed
def join_code(admin: Actor) -> str:
    code, _ = accounts.create_join_code(db.session.get(User, uuid.UUID(admin.id)))
    return code


@committed
def make_worker(name: str = "worker", agency_code: str | None = None) -> Actor:
    user = accounts.register_worker(f"{unique(name)}@example.org", PASSWORD,
                                    name.replace("_", " ").title(), agency_code)
    return signed_in(user, name)


@committed
def make_peer_with(worker: Actor, name: str = "peer") -> tuple[Actor, str]:
    invite = partnerships.open_invite(invite_code(worker))
    partnership = partnerships.accept_invite(
        invite, None, display_name=name.title(), username=unique("p"), password=PASSWORD)
    return signed_in(partnership.peer, name), str(partnership.id)


@committed
def make_goal(author: Actor, partnership_id: str, title: str = "Walk every morning"):
    user = db.session.get(User, uuid.UUID(author.id))
    partnership = db.session.get(Partnership, uuid.UUID(partnership_id))
    return goals.create_goal(user, partnership, title=title)


@committed
def make_milestone(author: Actor, goal_id: str, *, done: bool = False):
    user = db.session.get(User, uuid.UUID(author.id))
    goal, partnership = goals.member_goal(user, uuid.UUID(goal_id))
    milestone = goals.add_milestone(user, goal, partnership, title="First walk")
    if done:
        goals.update_milestone(user, milestone, partnership, None, done=True)
    return milestone


@committed
def make_oauth_client(agency_id: str, name: str = "Walk Together",
                      scope: str = " ".join(scopes.ALL)) -> str:
    """The row id of a new public app of the agency that may ask for `scope`."""
    client = OAuthClient(client_id=oauth.new_secret(oauth.CLIENT_PREFIX)[:48],
                         agency_id=uuid.UUID(agency_id), name=name,
                         redirect_uris=["https://app.example.org/callback"], scope=scope)
    db.session.add(client)
    db.session.flush()
    return str(client.id)


@committed
def make_oauth_token(person: Actor, scope: str, client: str | None = None) -> Actor:
    """`person` as an app (OAuth client row id `client`, or a new one of their agency) sees
    them: the person's grant (made, or widened to `scope`) and an access token holding
    exactly `scope`. As if they had said yes on the consent screen (the /oauth/* endpoints
    are not involved)."""
    user = db.session.get(User, uuid.UUID(person.id))
    if client is None:
        agency_id = accounts.content_agency_id(user)
        assert agency_id is not None, "an app belongs to an agency: pass `client`"
        client = make_oauth_client(str(agency_id))
    grant = db.session.scalar(select(OAuthGrant).where(
        OAuthGrant.client_id == uuid.UUID(client), OAuthGrant.user_id == user.id))
    if grant is None:
        grant = OAuthGrant(client_id=uuid.UUID(client), user_id=user.id, scope="")
        db.session.add(grant)
    grant.scope = " ".join(scopes.parse(f"{grant.scope} {scope}"))
    db.session.flush()
    token = oauth.new_secret(oauth.ACCESS_PREFIX)
    db.session.add(OAuthToken(grant_id=grant.id, access_hash=oauth.digest(token), scope=scope,
                              access_expires_at=utcnow() + timedelta(hours=1)))
    return Actor(f"{person.name}+app:{scope}", person.id, person.role, token, person.email,
                 person.username, person.password)


@committed
def revoke_oauth_grant(person: Actor, client: str) -> None:
    """The person takes back what they let the app do: every token of it stops working."""
    db.session.execute(update(OAuthGrant).where(
        OAuthGrant.client_id == uuid.UUID(client), OAuthGrant.user_id == uuid.UUID(person.id))
        .values(revoked_at=utcnow()))


@committed
def make_world(app: Flask) -> World:
    """Call inside an app context."""
    world = World(app)
    for side in ("a", "b"):
        agency, admin = accounts.create_agency(
            f"Agency {side.upper()}", f"{unique('admin')}@example.org", PASSWORD)
        # Running for years: tests move answers into past months, which only count for an
        # agency that existed then.
        agency.created_at -= timedelta(days=3 * 365)
        setattr(world, f"agency_{side}", str(agency.id))
        world.actors[f"admin_{side}"] = signed_in(admin, f"admin_{side}")
        code, _ = accounts.create_join_code(admin)
        worker = make_worker(f"worker_{side}", agency_code=code)
        peer, partnership_id = make_peer_with(worker, f"peer_{side}")
        world.actors[worker.name], world.actors[peer.name] = worker, peer
        setattr(world, f"partnership_{side}", partnership_id)
    world.actors["anonymous"] = Actor("anonymous")
    return world
