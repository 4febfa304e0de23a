"""Attacks on Web Push reminders, as someone with an account of their own and as an outsider.

Each test replays one attack. Those that once worked (and were fixed) say so; the others
hold, and stay here so a change that breaks them is caught.
"""

import threading
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from api.db.unit_of_work import unit_of_work
from api.extensions import db
from api.jobs import tasks
from api.lib.clock import utcnow
from api.models import AuthSession, Notification, PushSubscription
from api.services.reminders import subscriptions
from tests.factories import make_goal, make_peer_with, make_worker, push_subscription_body
from tests.helpers import assert_problem
from tests.reminders.push_service import Browser, PushService

DEVICES = "/api/v1/me/push-subscriptions"


@pytest.fixture(scope="module")
def push_service():
    """One for the module (closing one waits half a second): each test reads only what
    reached its own browsers, `push_service.to(browser.name)`."""
    service = PushService()
    yield service
    service.close()


@pytest.fixture(scope="module")
def strict_client(make_app):
    """As in production: https only, on the real push services."""
    return make_app(PUSH_ALLOW_HTTP=False).test_client()


@pytest.fixture(scope="module")
def one_device(app):
    """A peer with one device, for tests that must change nothing."""
    with app.app_context():
        peer, _ = make_peer_with(make_worker("Module_Worker"), "Module_Peer")
    answer = app.test_client().post(DEVICES, headers=peer.headers,
                                    json=push_subscription_body(time_zone="UTC"))
    assert answer.status_code == 201
    return peer, answer.get_json()


@pytest.fixture
def pair(app):
    with app.app_context():
        worker = make_worker("Rosa_Worker")
        peer, partnership_id = make_peer_with(worker, "Tomas_Peer")
    return worker, peer, partnership_id


def subscribe(client, actor, browser, status=201, **choices):
    answer = client.post(DEVICES, headers=actor.headers,
                         json=browser.subscription(**{"time_zone": "UTC", **choices}))
    assert answer.status_code == status, answer.get_json()
    return answer.get_json()


def run_jobs(app, now=None):
    with app.app_context():
        tasks.scan(now)
        tasks.sweep(now)


def new_goal(client, author, partnership_id, title="Walk every morning"):
    answer = client.post(f"/api/v1/partnerships/{partnership_id}/goals",
                         headers=author.headers, json={"title": title})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["id"]


class Listener:
    """An HTTP server on loopback that writes down every request, whatever its method."""

    def __init__(self):
        seen = self.seen = []

        class Handler(BaseHTTPRequestHandler):
            def _any(self):
                seen.append((self.command, self.path))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_PUT = do_HEAD = _any  # noqa: N815

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    def endpoint(self, name):
        return f"http://127.0.0.1:{self.server.server_address[1]}/{name}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def device_rows(app, user_id):
    with app.app_context():
        return db.session.scalars(select(PushSubscription).where(
            PushSubscription.user_id == uuid.UUID(user_id))).all()


# --- Reaching someone else's device ------------------------------------------------------

@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_persons_device_is_404_like_one_that_never_was(
        app, client, pair, push_service, method):
    worker, peer, _ = pair
    victim = subscribe(client, peer, Browser(push_service), label="Tomas phone")
    body = {"json": {"kinds": []}} if method == "patch" else {}
    theirs = getattr(client, method)(f"{DEVICES}/{victim['id']}", headers=worker.headers, **body)
    nobodys = getattr(client, method)(f"{DEVICES}/{uuid.uuid4()}", headers=worker.headers,
                                      **body)
    a, b = assert_problem(theirs, 404), assert_problem(nobodys, 404)
    assert a == b  # nothing in the answer tells a real device from none
    assert "Tomas" not in theirs.get_data(as_text=True)
    [still] = client.get(DEVICES, headers=peer.headers).get_json()
    assert still == victim
    assert client.get(DEVICES, headers=worker.headers).get_json() == []


@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_an_outsider_reaches_no_device(client, pair, push_service, method):
    _, peer, _ = pair
    victim = subscribe(client, peer, Browser(push_service))
    path = DEVICES if method in ("get", "post") else f"{DEVICES}/{victim['id']}"
    body = {"json": push_subscription_body()} if method in ("post", "patch") else {}
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        assert_problem(getattr(client, method)(path, headers=headers, **body), 401)
    assert len(client.get(DEVICES, headers=peer.headers).get_json()) == 1


@pytest.mark.parametrize("path", [f"{DEVICES}/1", f"{DEVICES}/..%2f..%2fme",
                                  f"{DEVICES}/{'f' * 32}x"])
def test_a_device_id_that_is_not_a_uuid_is_404(client, pair, path):
    _, peer, _ = pair
    assert_problem(client.get(path, headers=peer.headers), 404)


# --- Making the server post where the attacker wants (SSRF) ------------------------------

@pytest.mark.parametrize("endpoint", [
    "https://fcm.googleapis.com:8443/fcm/send/x",  # a known host, another port
    "https://fcm.googleapis.com:0/fcm/send/x",
    "https://fcm.googleapis.com:99999/fcm/send/x",
    "https://fcm.googleapis.com./fcm/send/x",  # a trailing dot is another name
    "https://evil.example\uff0f.fcm.googleapis.com/x",  # a fullwidth slash: NFKC makes "/"
    "https://evil\u3002example.fcm.googleapis.com/x",  # an ideographic full stop
    "https://\uff46cm.googleapis.com/x",  # a fullwidth letter
    "https://evil.example\\.fcm.googleapis.com/x",  # requests reads up to the backslash
    "https://evil.example\\@fcm.googleapis.com/x",
    "https://fcm.googleapis.com\\@evil.example/x",
    "https://fcm.googleapis.com:443@evil.example/x",
    "https://evil.example%2f.fcm.googleapis.com/x",
    "https://evil.example?.fcm.googleapis.com/x",
    "https://evil.example#.fcm.googleapis.com/x",
    "https://[::1]/x",
    "https://[::ffff:127.0.0.1]/x",
    "https://2130706433/x",
    "https://0x7f.0.0.1/x",
    "https://localhost/x",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://fcm.googleapis.com\x00.evil.example/x",
    "https://evil.example\t.fcm.googleapis.com/x",
    "https://fcm.googleapis.com/" + "a" * 2100,
    "javascript://fcm.googleapis.com/%0aalert(1)",
    "file:///etc/passwd",
    "//fcm.googleapis.com/x",
])
def test_an_endpoint_off_the_push_services_is_422_never_500(strict_client, pair, endpoint):
    _, peer, _ = pair
    client = strict_client
    answer = client.post(DEVICES, headers=peer.headers,
                         json={**push_subscription_body(time_zone="UTC"), "endpoint": endpoint})
    problem = assert_problem(answer, 422)
    assert "endpoint" in problem["errors"]
    assert endpoint not in answer.get_data(as_text=True)  # nothing echoed back
    assert client.get(DEVICES, headers=peer.headers).get_json() == []


@pytest.mark.parametrize("endpoint", [
    "https://fcm.googleapis.com/fcm/send/abc",
    "https://FCM.GoogleAPIs.com/fcm/send/abc",
    "https://fcm.googleapis.com:443/fcm/send/abc",
    "https://updates.push.services.mozilla.com/wpush/v2/abc",
])
def test_real_push_service_addresses_are_taken(strict_client, pair, endpoint):
    _, peer, _ = pair
    client = strict_client
    answer = client.post(DEVICES, headers=peer.headers,
                         json={**push_subscription_body(time_zone="UTC"), "endpoint": endpoint})
    assert answer.status_code == 201, answer.get_json()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_push_service_redirect_is_not_followed(app, client, pair, push_service, status):
    """A push service (or anyone on its address) answering 30x must not make the server post,
    or even ask, somewhere else: an internal address, with the push's signed headers."""
    worker, peer, partnership_id = pair
    inside = Listener()  # stands for an internal service the attacker wants reached
    try:
        phone = Browser(push_service)
        device = subscribe(client, peer, phone)
        push_service.answers[f"/push/{phone.name}"] = [
            (status, {"Location": inside.endpoint("metadata")})]
        new_goal(client, worker, partnership_id)
        run_jobs(app)
        assert len(push_service.to(phone.name)) == 1
        assert inside.seen == []
        with app.app_context():
            [row] = db.session.scalars(select(Notification).where(
                Notification.subscription_id == uuid.UUID(device["id"]))).all()
            assert row.status == "failed" and row.outcome == f"{status} refused"
    finally:
        inside.close()


# --- Taking over someone's phone ---------------------------------------------------------

def test_knowing_someones_endpoint_is_not_enough_to_take_their_phone_over(
        app, client, pair, push_service):
    """The endpoint alone (seen in a log, a proxy, a shoulder-surfed screen) must not move a
    person's phone to an attacker's account: their reminders would stop without a word, and
    the attacker's keys would make every push to them unreadable."""
    worker, peer, partnership_id = pair
    phone = Browser(push_service)
    victim = subscribe(client, peer, phone)
    attacker_keys = Browser(push_service).subscription()["keys"]
    answer = client.post(DEVICES, headers=worker.headers,
                         json={**phone.subscription(time_zone="UTC"), "keys": attacker_keys})
    problem = assert_problem(answer, 422)
    assert "endpoint" in problem["errors"]
    assert client.get(DEVICES, headers=peer.headers).get_json()[0]["id"] == victim["id"]
    assert client.get(DEVICES, headers=worker.headers).get_json() == []
    # The phone itself, signed in by someone else (the same keys): it moves, as designed.
    moved = subscribe(client, worker, phone)
    assert client.get(DEVICES, headers=peer.headers).get_json() == []
    assert moved["this_device"] is True


def test_a_replayed_idempotency_key_does_not_make_a_second_device_or_cross_people(
        client, pair, push_service):
    worker, peer, _ = pair
    body = Browser(push_service).subscription(time_zone="UTC")
    key = {"Idempotency-Key": f'"{uuid.uuid4()}"'}
    first = client.post(DEVICES, headers={**peer.headers, **key}, json=body)
    again = client.post(DEVICES, headers={**peer.headers, **key}, json=body)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json() == first.get_json()
    other = client.post(DEVICES, headers={**peer.headers, **key},
                        json={**body, "label": "Another"})
    assert_problem(other, 422)
    # The same key from someone else is theirs alone: no answer of the peer's comes back.
    theirs = client.post(DEVICES, headers={**worker.headers, **key},
                         json=Browser(push_service).subscription(time_zone="UTC"))
    assert theirs.status_code == 201 and theirs.get_json()["id"] != first.get_json()["id"]
    assert len(client.get(DEVICES, headers=peer.headers).get_json()) == 1


def test_at_most_twenty_devices_and_the_twenty_first_changes_nothing(client, pair):
    _, peer, _ = pair
    for _ in range(subscriptions.MAX_DEVICES):
        assert client.post(DEVICES, headers=peer.headers,
                           json=push_subscription_body()).status_code == 201
    answer = client.post(DEVICES, headers=peer.headers, json=push_subscription_body())
    assert "endpoint" in assert_problem(answer, 422)["errors"]
    assert len(client.get(DEVICES, headers=peer.headers).get_json()) == subscriptions.MAX_DEVICES


# --- Signed out, erased, ended, paused: no more pushes -----------------------------------

def _age_session(app, actor, **changes):
    with app.app_context(), unit_of_work():
        for session in db.session.scalars(select(AuthSession).where(
                AuthSession.user_id == uuid.UUID(actor.id))):
            for name, value in changes.items():
                setattr(session, name, value)


def test_a_phone_whose_session_expired_stops_getting_pushes(app, client, pair, push_service):
    """A session that ran out is signed out as surely as one signed out by hand: a shared
    phone must stop hearing about the person who used it (the subscription is the session's)."""
    worker, peer, partnership_id = pair
    phone = Browser(push_service)
    subscribe(client, peer, phone, detail="names")
    _age_session(app, peer, expires_at=utcnow() - timedelta(days=1))
    new_goal(client, worker, partnership_id)
    run_jobs(app)
    assert push_service.to(phone.name) == []
    assert device_rows(app, peer.id) == []


def test_a_phone_left_unused_still_gets_reminders_but_never_a_name(
        app, client, pair, push_service):
    worker, peer, partnership_id = pair
    phone = Browser(push_service)
    subscribe(client, peer, phone, detail="names")
    _age_session(app, peer, last_seen_at=utcnow() - timedelta(days=8))
    new_goal(client, worker, partnership_id)
    run_jobs(app)
    [message] = _opened(client, phone, push_service)
    assert message["body"] == "There is a new shared goal in Rapport."


def test_an_erased_person_is_never_named_in_a_push_already_waiting(
        app, client, pair, push_service):
    worker, peer, partnership_id = pair
    phone = Browser(push_service)
    now = utcnow()
    quiet = {"start": (now - timedelta(hours=1)).strftime("%H:%M"),
             "end": (now + timedelta(hours=1)).strftime("%H:%M")}
    subscribe(client, peer, phone, detail="names", quiet_hours=quiet)
    new_goal(client, worker, partnership_id)  # waits for the end of the quiet hours
    assert client.delete("/api/v1/me", headers=worker.headers).status_code == 204
    run_jobs(app, now + timedelta(hours=2))
    key = client.get("/api/v1/push/key").get_json()["public_key"]
    for push in push_service.to(phone.name):
        message = phone.open(push, key, push_service.origin)
        assert "Rosa" not in repr(message)


@pytest.mark.parametrize("status", ["paused", "ended"])
def test_a_paused_or_ended_partnership_gets_no_check_in_reminders(
        app, client, pair, push_service, status):
    worker, peer, partnership_id = pair
    phone = Browser(push_service)
    subscribe(client, worker, phone)
    answer = client.patch(f"/api/v1/partnerships/{partnership_id}", headers=worker.headers,
                          json={"status": status})
    assert answer.status_code == 200, answer.get_json()
    later = utcnow() + timedelta(days=8)
    _age_session(app, worker, last_seen_at=later, expires_at=later + timedelta(days=1))
    run_jobs(app, later)
    assert push_service.to(phone.name) == []


def test_an_agency_admin_is_told_nothing_about_partnerships(app, client, world, push_service):
    admin = world["admin_a"]
    phone = Browser(push_service)
    subscribe(client, admin, phone)
    with app.app_context():
        make_goal(world["worker_a"], world.partnership_a)
    later = utcnow() + timedelta(days=8)
    _age_session(app, admin, last_seen_at=later, expires_at=later + timedelta(days=1))
    run_jobs(app, later)
    assert push_service.to(phone.name) == []


# --- Learning what is private from a push ------------------------------------------------

def _session_check(client, peer, partnership_id, value, share):
    answers = [{"item": item, "value": value}
               for item in ("heard", "what-matters", "fits-me", "overall")]
    answer = client.post("/api/v1/surveys/session-check/responses", headers=peer.headers,
                         json={"answers": answers, "partnership_id": partnership_id,
                               "share": share})
    assert answer.status_code == 201, answer.get_json()


def test_a_check_kept_for_agency_totals_does_not_raise_a_talk_flag_push_later(
        make_app, pair, push_service):
    """A peer keeps a glowing check for agency totals only, then shares a lower one. The
    worker's view flags the shared check against the shared one before (none), so it shows no
    flag; a push that compared with the hidden check would tell the worker it existed."""
    app = make_app(SESSION_CHECK_FLAG_TOTAL_BELOW=0, SESSION_CHECK_FLAG_ITEM_BELOW=0)
    client = app.test_client()
    worker, peer, partnership_id = pair
    phone = Browser(push_service)
    subscribe(client, worker, phone)
    _session_check(client, peer, partnership_id, 10, "aggregate_only")
    _session_check(client, peer, partnership_id, 8, "now")  # 8 points below the hidden one
    view = client.get(f"/api/v1/partnerships/{partnership_id}/rapport", headers=worker.headers)
    assert view.get_json()["flag"] is False
    run_jobs(app)
    assert push_service.to(phone.name) == []
    # Against the last shared check, a real drop still asks for a talk.
    _session_check(client, peer, partnership_id, 6, "now")
    run_jobs(app)
    key = client.get("/api/v1/push/key").get_json()["public_key"]
    [push] = push_service.to(phone.name)
    assert phone.open(push, key, push_service.origin)["kind"] == "talk_flag"


# --- Bad input: 422, never 500 -----------------------------------------------------------

BAD_CHOICES = [
    {"label": "My\x00phone"}, {"label": "\u0000"}, {"label": ""}, {"label": "x" * 81},
    {"label": 12}, {"label": ["a"]},
    {"language": "xx"}, {"language": None}, {"language": "en\x00"}, {"language": 1},
    {"time_zone": "../../etc/passwd"}, {"time_zone": "/etc/passwd"}, {"time_zone": "posixrules"},
    {"time_zone": "localtime"}, {"time_zone": "Etc/../UTC"}, {"time_zone": "UTC\x00"},
    {"time_zone": "America/Chicago/"}, {"time_zone": "x" * 65}, {"time_zone": ""},
    {"time_zone": None}, {"time_zone": 0}, {"time_zone": "zone.tab"},
    {"kinds": ["checkin_due"] * 6}, {"kinds": ["checkin_due"] * 3_000}, {"kinds": [1]},
    {"kinds": [2 ** 64]}, {"kinds": "checkin_due"}, {"kinds": None}, {"kinds": [None]},
    {"kinds": [{"a": 1}]}, {"kinds": ["new_goal\x00"]},
    {"detail": None}, {"detail": "NAMES"}, {"detail": ["names"]},
    {"quiet_hours": {}}, {"quiet_hours": {"start": "22:00"}}, {"quiet_hours": "22:00-07:00"},
    {"quiet_hours": {"start": "22:00", "end": "24:00"}},
    {"quiet_hours": {"start": 1320, "end": 420}}, {"quiet_hours": []},
    {"quiet_hours": {"start": "22:00", "end": "07:00", "tz": "UTC"}},
    {"quiet_hours": {"start": "22:00\n", "end": "07:00"}},
    {"quiet_hours": {"start": "\uff12\uff12:00", "end": "07:00"}},  # fullwidth digits
    {"summary_at": "24:00"}, {"summary_at": "8:00"}, {"summary_at": "08:60"},
    {"summary_at": "08:00:00"}, {"summary_at": None}, {"summary_at": 480},
    {"summary_at": "\u0660\u0668:00"},  # Arabic-Indic digits match \\d, not [0-9]
    {"daily_summary": "true"}, {"daily_summary": 1}, {"daily_summary": None},
    {"this_device": True}, {"id": str(uuid.uuid4())}, {"user_id": str(uuid.uuid4())},
    {"last_sent_at": "2020-01-01T00:00:00Z"}, {"sending_until": "2999-01-01T00:00:00Z"},
]


@pytest.mark.parametrize("change", BAD_CHOICES, ids=lambda c: repr(c)[:40])
def test_bad_choices_are_422_on_create_and_on_change(client, one_device, change):
    peer, device = one_device
    body = {**push_subscription_body(time_zone="UTC"), **change}
    assert_problem(client.post(DEVICES, headers=peer.headers, json=body), 422)
    assert_problem(client.patch(f"{DEVICES}/{device['id']}", headers=peer.headers,
                                json=change), 422)
    assert client.get(DEVICES, headers=peer.headers).get_json() == [device]


BAD_SUBSCRIPTIONS = [
    {"endpoint": None}, {"endpoint": 1}, {"endpoint": ["https://fcm.googleapis.com/x"]},
    {"endpoint": "https://fcm.googleapis.com/x\x00"}, {"keys": None}, {"keys": {}},
    {"keys": {"p256dh": "B" * 87, "auth": "A" * 22}},  # not a point on the curve
    {"keys": {"p256dh": "!" * 87, "auth": "A" * 22}},
    {"keys": {"p256dh": "A" * 87, "auth": "=" * 22}},
    {"keys": {"p256dh": 2 ** 600, "auth": "A" * 22}},
    {"keys": {"p256dh": "A\x00" * 44, "auth": "A" * 22}},
    {"keys": {"p256dh": "A" * 87, "auth": "A" * 22, "extra": "x"}},
    {"expiration_time": "\x00"},
]


@pytest.mark.parametrize("change", BAD_SUBSCRIPTIONS, ids=lambda c: repr(c)[:40])
def test_bad_subscriptions_are_422(client, one_device, change):
    peer, device = one_device
    answer = client.post(DEVICES, headers=peer.headers,
                         json={**push_subscription_body(time_zone="UTC"), **change})
    assert_problem(answer, 422)
    assert [d["id"] for d in client.get(DEVICES, headers=peer.headers).get_json()] == [
        device["id"]]


def test_endpoint_and_keys_cannot_be_changed_by_patch(client, one_device):
    peer, device = one_device
    for change in ({"endpoint": "https://fcm.googleapis.com/x"},
                   {"keys": push_subscription_body()["keys"]}, {"session_id": None}):
        assert_problem(client.patch(f"{DEVICES}/{device['id']}", headers=peer.headers,
                                    json=change), 422)


@pytest.mark.parametrize("raw", [b"", b"null", b"[]", b'"x"', b"{", b"\xff\xfe",
                                 b'{"endpoint": "' + b"a" * 70_000 + b'"}',
                                 b'{"expiration_time": ' + b"[" * 30_000 + b"]" * 30_000 + b"}"])
def test_malformed_or_huge_bodies_are_4xx(client, one_device, raw):
    peer, device = one_device
    for method, path in (("post", DEVICES), ("patch", f"{DEVICES}/{device['id']}")):
        if method == "patch" and raw == b"":
            continue  # no body is no change, as on every PATCH of the API
        answer = getattr(client, method)(path, data=raw, content_type="application/json",
                                         headers=peer.headers)
        assert 400 <= answer.status_code < 500 and answer.status_code != 404, answer.status_code
        assert_problem(answer, answer.status_code)


def test_quiet_hours_null_clears_and_the_device_still_gets_its_push(
        app, client, pair, push_service):
    worker, peer, partnership_id = pair
    phone = Browser(push_service)
    device = subscribe(client, peer, phone,
                       quiet_hours={"start": "00:00", "end": "23:59"})
    new_goal(client, worker, partnership_id)
    answer = client.patch(f"{DEVICES}/{device['id']}", headers=peer.headers,
                          json={"quiet_hours": None, "time_zone": "Factory"})
    assert answer.status_code == 200 and answer.get_json()["quiet_hours"] is None
    run_jobs(app)
    assert len(push_service.to(phone.name)) == 1


# --- Flooding a phone, and racing the jobs -----------------------------------------------

def _opened(client, phone, service):
    key = client.get("/api/v1/push/key").get_json()["public_key"]
    return [phone.open(push, key, service.origin) for push in service.to(phone.name)]


def test_a_partner_making_goal_after_goal_cannot_flood_the_others_phone(
        app, client, pair, push_service):
    """No limit stops a partner writing fifty goals a minute, and each commit sends at once:
    the phone gets one push, then the rest folded into one when the device's gap is over."""
    worker, peer, partnership_id = pair
    phone = Browser(push_service)
    subscribe(client, peer, phone)
    start = utcnow()
    for second in range(10):
        new_goal(client, worker, partnership_id, title=f"Goal {second}")
        with app.app_context():  # as the job queued after each commit does
            tasks.sweep(start + timedelta(seconds=second))
    assert len(push_service.to(phone.name)) == 1
    run_jobs(app, start + timedelta(seconds=30))
    assert len(push_service.to(phone.name)) == 1
    run_jobs(app, start + timedelta(seconds=10 + 61))
    first, rest = _opened(client, phone, push_service)
    assert first["count"] + rest["count"] == 10 and rest["count"] >= 8
    assert rest["body"] == f"There are {rest['count']} new shared goals in Rapport."


def test_a_milestone_ticked_on_and_off_again_is_told_once(app, client, pair, push_service):
    worker, peer, partnership_id = pair
    phone = Browser(push_service)
    subscribe(client, peer, phone)
    goal_id = new_goal(client, worker, partnership_id)
    milestone = client.post(f"/api/v1/goals/{goal_id}/milestones", headers=worker.headers,
                            json={"title": "First walk"}).get_json()
    for done in (True, False, True, False, True):
        assert client.patch(f"/api/v1/milestones/{milestone['id']}", json={"done": done},
                            headers={**worker.headers, "If-Match": "*"}).status_code == 200
    run_jobs(app)
    kinds = sorted(m["kind"] for m in _opened(client, phone, push_service))
    assert kinds == ["milestone_done", "new_goal"]


def _at_once(jobs):
    start = threading.Barrier(len(jobs))
    errors, results = [], [None] * len(jobs)

    def run(index, job):
        try:
            start.wait()
            results[index] = job()
        except Exception as error:  # noqa: BLE001  (reported below)
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    return results


def test_two_senders_on_one_device_at_once_send_once(app, client, pair, push_service):
    worker, peer, partnership_id = pair
    phone = Browser(push_service)
    device = uuid.UUID(subscribe(client, peer, phone)["id"])
    new_goal(client, worker, partnership_id)

    def send():
        with app.app_context():
            return tasks.send_to(device)

    results = _at_once([send, send, send])
    assert len(push_service.to(phone.name)) == 1
    # One sender sent; any that got the device after it found nothing left to send.
    assert sum(bool(result) and result != tasks.BUSY and result.get("sent", 0) > 0
               for result in results) == 1


def test_two_scans_at_once_write_each_reminder_once(app, client, pair, push_service):
    worker, peer, partnership_id = pair
    phone = Browser(push_service)
    device = subscribe(client, worker, phone)
    later = utcnow() + timedelta(days=8)

    def scan():
        with app.app_context():
            return tasks.scan(later)

    _at_once([scan, scan, scan])
    with app.app_context():
        rows = db.session.scalars(select(Notification).where(
            Notification.subscription_id == uuid.UUID(device["id"]))).all()
    assert [row.kind for row in rows] == ["checkin_due"]


def test_a_crash_between_posting_and_recording_sends_again_only_after_the_lease(
        app, client, pair, push_service, monkeypatch):
    """At least once, never a storm: the device stays leased, so only a sweep after the
    lease ran out sends it again (once)."""
    from api.services.reminders import sending

    worker, peer, partnership_id = pair
    phone = Browser(push_service)
    subscribe(client, peer, phone)
    new_goal(client, worker, partnership_id)
    now = utcnow()

    def crash(*args, **kwargs):
        raise RuntimeError("the worker process died")

    with monkeypatch.context() as patched:
        patched.setattr(sending, "record", crash)
        with pytest.raises(RuntimeError), app.app_context():
            tasks.sweep(now)
    assert len(push_service.to(phone.name)) == 1
    run_jobs(app, now + timedelta(seconds=30))
    assert len(push_service.to(phone.name)) == 1
    run_jobs(app, now + sending.LEASE + timedelta(seconds=1))
    run_jobs(app, now + sending.LEASE + timedelta(minutes=5))
    assert len(push_service.to(phone.name)) == 2
