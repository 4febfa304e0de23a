"""A person's devices that take reminders: add one (or take it over), change its choices,
remove it. The browser's push service URL is where the server will send, so it is checked
against the push services allowed (PUSH_SERVICES): a subscription must never turn the
server into a tool for reaching other addresses (SSRF)."""

import base64
import binascii
import re
import uuid
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from sqlalchemy import select, update

from api.extensions import db
from api.models import AuthSession, Notification, PushSubscription, User
from api.models.reminders import KINDS
from api.services import audit
from api.services.reminders import timing

AUTH_SECRET_BYTES = 16
MAX_DEVICES = 20


class SubscriptionError(Exception):
    """Input that cannot make or change a subscription; `field` names it (422)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def _b64url(text: str, field: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise SubscriptionError(field, "Not base64url text.") from None


def check_keys(p256dh: str, auth: str) -> None:
    """The browser's P-256 public key (a point on the curve) and its 16-byte auth secret."""
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _b64url(p256dh, "keys"))
    except ValueError:
        raise SubscriptionError("keys", "p256dh is not a P-256 public key.") from None
    if len(_b64url(auth, "keys")) != AUTH_SECRET_BYTES:
        raise SubscriptionError("keys", "auth must be 16 bytes.")


# A host name as push services give them: ASCII letters, digits and hyphens, dot-separated.
_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


def allowed_endpoint(url: str) -> bool:
    """An HTTPS URL on a known push service (a host or a subdomain of one), on its port.

    Push services give plain ASCII URLs. Anything else is refused before it is parsed: the
    check must see the host that requests will connect to, and parsers differ on backslashes,
    spaces and on Unicode that NFKC turns into "/" or "." (urlsplit even raises on some)."""
    if not url.isascii() or "\\" in url or any(ch <= " " or ch == "\x7f" for ch in url):
        return False
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    allow_http = current_app.config["PUSH_ALLOW_HTTP"]
    if parts.scheme != "https" and not (allow_http and parts.scheme == "http"):
        return False
    host = (parts.hostname or "").lower()
    if not _HOST.match(host) or "@" in parts.netloc:
        return False
    if parts.scheme == "https" and port not in (None, 443):
        return False
    return any(host == known or host.endswith("." + known)
               for known in current_app.config["PUSH_SERVICES"])


def check_time_zone(name: str) -> None:
    if name not in _zones():
        raise SubscriptionError("time_zone", "Not a time zone name such as America/Chicago.")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SubscriptionError("time_zone", "Not a time zone name such as America/Chicago.") \
            from None


_ZONES: frozenset[str] | None = None


def _zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        # "localtime" is this machine's own zone (a link to /etc/localtime), not an IANA
        # name: it would differ between the machines that send, and tell the server's zone.
        _ZONES = frozenset((available_timezones() | {"UTC"}) - {"localtime", "posixrules"})
    return _ZONES


def mine(user: User) -> list[PushSubscription]:
    return list(db.session.scalars(select(PushSubscription)
                                   .where(PushSubscription.user_id == user.id)
                                   .order_by(PushSubscription.created_at, PushSubscription.id)))


def get(user: User, subscription_id: uuid.UUID) -> PushSubscription | None:
    found = db.session.get(PushSubscription, subscription_id)
    return found if found is not None and found.user_id == user.id else None


def save(user: User, session: AuthSession | None, *, endpoint: str, keys: dict,
         **choices) -> tuple[PushSubscription, bool]:
    """Add this browser, or refresh it (the same endpoint again: new keys, new choices).

    A browser's endpoint is one per browser profile: when someone else signs in on a phone,
    its subscription (the same endpoint and keys) moves to them, and what was waiting for the
    last person is dropped."""
    if not allowed_endpoint(endpoint):
        raise SubscriptionError("endpoint", "This is not the address of a known push service.")
    check_keys(keys["p256dh"], keys["auth"])
    if "time_zone" in choices:
        check_time_zone(choices["time_zone"])
    existing = db.session.scalar(select(PushSubscription)
                                 .where(PushSubscription.endpoint == endpoint))
    if existing is not None and existing.user_id != user.id:
        # The same browser gives the same keys with its endpoint: someone who only learnt
        # the endpoint cannot move a person's phone to their own account.
        if (existing.p256dh, existing.auth) != (keys["p256dh"], keys["auth"]):
            raise SubscriptionError("endpoint", "This browser is already taking reminders "
                                    "with other keys. Turn reminders off and on again.")
        audit.record(user, "push_subscription.taken_over", object_type="push_subscription",
                     object_id=existing.id)
        remove(None, existing)
        db.session.flush()
        existing = None
    created = existing is None
    if created:
        if len(mine(user)) >= MAX_DEVICES:
            raise SubscriptionError("endpoint", f"At most {MAX_DEVICES} devices can take "
                                    "reminders. Remove one you no longer use first.")
        existing = PushSubscription(user_id=user.id, endpoint=endpoint)
        db.session.add(existing)
    existing.session_id = session.id if session is not None else None
    existing.p256dh, existing.auth = keys["p256dh"], keys["auth"]
    change(user, existing, record=False, **choices)
    db.session.flush()
    audit.record(user, "push_subscription.create" if created else "push_subscription.update",
                 object_type="push_subscription", object_id=existing.id)
    return existing, created


def change(user: User, subscription: PushSubscription, *, record: bool = True,
           **choices) -> PushSubscription:
    """New choices; what is already waiting is re-timed to them (or dropped if its kind was
    turned off)."""
    if "time_zone" in choices:
        check_time_zone(choices["time_zone"])
    quiet = choices.pop("quiet_hours", ...)
    if quiet is not ...:
        # From a time to the same time is no quiet at all (nothing to hold back).
        subscription.quiet_start, subscription.quiet_end = (
            (quiet["start"], quiet["end"]) if quiet and quiet["start"] != quiet["end"]
            else (None, None))
    for name, value in choices.items():
        setattr(subscription, name, value)
    if subscription.kinds is not None:
        subscription.kinds = _ordered(subscription.kinds)
    if subscription.id is not None:
        _retime_waiting(subscription)
    if record:
        audit.record(user, "push_subscription.update", object_type="push_subscription",
                     object_id=subscription.id)
    return subscription


def _ordered(kinds) -> list[str]:
    return [kind for kind in KINDS if kind in set(kinds)]


def _retime_waiting(subscription: PushSubscription) -> None:
    db.session.flush()
    waiting = (Notification.subscription_id == subscription.id) & (Notification.status == "waiting")
    db.session.execute(update(Notification).where(
        waiting, Notification.kind.not_in(subscription.kinds or []))
        .values(status="skipped", outcome="kind turned off"))
    db.session.execute(update(Notification).where(waiting, Notification.attempts == 0)
                       .values(deliver_after=timing.deliver_after(subscription)))


def remove(user: User | None, subscription: PushSubscription) -> None:
    """Forget a device; what was still waiting for it is dropped, what was sent stays listed
    in its owner's export until they erase their account."""
    db.session.execute(update(Notification).where(
        Notification.subscription_id == subscription.id, Notification.status == "waiting")
        .values(status="skipped", outcome="device removed"))
    if user is not None:
        audit.record(user, "push_subscription.delete", object_type="push_subscription",
                     object_id=subscription.id)
    db.session.delete(subscription)
