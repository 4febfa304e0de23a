"""Each kind of push, end to end: the API takes a browser's subscription, a change or a due
check-in writes a notification, the job sends it to the test's push service, and the test
checks the VAPID signature, decrypts the body as the browser would, and finds no one's name
and no one's words in it unless the device asked for names."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from api.db.unit_of_work import unit_of_work
from api.extensions import db
from api.jobs import tasks
from api.lib.clock import utcnow
from api.models import AuthSession, User
from api.services.reminders import outbox, subscriptions
from tests.factories import make_peer_with, make_worker, push_subscription_body
from tests.reminders.push_service import Browser

WORDS = ("Walk every morning", "First walk", "So proud of you", "🎉")


@pytest.fixture
def pair(app):
    with app.app_context():
        worker = make_worker("Rosa_Worker")
        peer, partnership_id = make_peer_with(worker, "Tomas_Peer")
    return worker, peer, partnership_id


def subscribe(client, actor, browser, status=201, **choices):
    answer = client.post("/api/v1/me/push-subscriptions", headers=actor.headers,
                         json=browser.subscription(**{"time_zone": "UTC", **choices}))
    assert answer.status_code == status, answer.get_json()
    return answer.get_json()


def server_key(client):
    return client.get("/api/v1/push/key").get_json()["public_key"]


def run_jobs(app, now=None):
    with app.app_context():
        tasks.scan(now)
        tasks.sweep(now)


def seen_at(app, actor, moment):
    """The person used the app at `moment` (a test that moves the jobs' clock on): their
    session is still live then, so their phone is still theirs (api.services.reminders)."""
    with app.app_context(), unit_of_work():
        for session in db.session.scalars(select(AuthSession).where(
                AuthSession.user_id == uuid.UUID(actor.id))):
            session.last_seen_at = moment
            session.expires_at = max(session.expires_at, moment + timedelta(days=1))


def opened(client, browser, service):
    return [browser.open(push, server_key(client), service.origin)
            for push in service.to(browser.name)]


def assert_private(message, *names):
    text = repr(message)
    for secret in (*WORDS, *names):
        assert secret not in text, (secret, message)


def test_a_new_goal_reaches_the_other_persons_phone_and_says_nothing_private(
        app, client, push_service, pair):
    worker, peer, partnership_id = pair
    phone = Browser(push_service)
    subscribe(client, peer, phone)
    answer = client.post(f"/api/v1/partnerships/{partnership_id}/goals", headers=worker.headers,
                         json={"title": "Walk every morning", "why": "So proud of you"})
    assert answer.status_code == 201
    run_jobs(app)
    [message] = opened(client, phone, push_service)
    assert message["title"] == "Rapport"
    assert message["body"] == "There is a new shared goal in Rapport."
    assert message["kind"] == "new_goal"
    assert message["url"] == f"#/partnerships/{partnership_id}"
    assert_private(message, "Rosa", "Tomas")
    # The author's own devices hear nothing of their own change.
    assert len(push_service.pushes) == 1


def test_each_kind_arrives_once_and_the_worker_alone_hears_a_talk_flag(
        app, client, push_service, pair):
    worker, peer, partnership_id = pair
    worker_phone, peer_phone = Browser(push_service), Browser(push_service)
    subscribe(client, worker, worker_phone)
    subscribe(client, peer, peer_phone)
    goal = client.post(f"/api/v1/partnerships/{partnership_id}/goals", headers=peer.headers,
                       json={"title": "Walk every morning"}).get_json()
    milestone = client.post(f"/api/v1/goals/{goal['id']}/milestones", headers=worker.headers,
                            json={"title": "First walk"}).get_json()
    assert client.patch(f"/api/v1/milestones/{milestone['id']}", json={"done": True},
                        headers={**peer.headers, "If-Match": "*"}).status_code == 200
    assert client.post(f"/api/v1/goals/{goal['id']}/celebrations", headers=peer.headers,
                       json={"message": "So proud of you", "emoji": "🎉",
                             "milestone_id": milestone["id"]}).status_code == 201
    low = {"heard": 2, "what-matters": 3, "fits-me": 2, "overall": 2}
    assert client.post("/api/v1/surveys/session-check/responses", headers=peer.headers, json={
        "answers": [{"item": k, "value": v} for k, v in low.items()],
        "partnership_id": partnership_id, "share": "now"}).status_code == 201
    run_jobs(app)
    run_jobs(app)  # a second run sends nothing again

    to_worker = {m["kind"]: m for m in opened(client, worker_phone, push_service)}
    to_peer = {m["kind"]: m for m in opened(client, peer_phone, push_service)}
    assert set(to_worker) == {"new_goal", "milestone_done", "celebration", "talk_flag"}
    assert set(to_peer) == set()  # the worker's own milestone: the peer made the rest
    assert to_worker["talk_flag"]["body"] == "A session check asks for a talk."
    for message in to_worker.values():
        assert_private(message, "Rosa", "Tomas")
    assert len(push_service.pushes) == 4


def test_due_check_ins_are_grouped_into_one_message_in_the_devices_language(
        app, client, push_service):
    with app.app_context():
        worker = make_worker("Busy_Worker")
        for n in range(3):
            make_peer_with(worker, f"peer_{n}")
    phone = Browser(push_service)
    subscribe(client, worker, phone, language="es")
    later = utcnow() + timedelta(days=8)
    seen_at(app, worker, later)
    run_jobs(app, later)
    [message] = opened(client, phone, push_service)
    assert message["body"] == "Toca registrar 3 avances en Rapport."
    assert message["count"] == 3 and message["url"] == "#/"


def test_a_device_that_chose_names_sees_a_name_but_never_words(app, client, push_service, pair):
    worker, peer, partnership_id = pair
    phone = Browser(push_service)
    subscribe(client, peer, phone, detail="names")
    client.post(f"/api/v1/partnerships/{partnership_id}/goals", headers=worker.headers,
                json={"title": "Walk every morning", "why": "So proud of you"})
    run_jobs(app)
    [message] = opened(client, phone, push_service)
    assert message["body"] == "Rosa Worker added a new shared goal."
    assert_private(message)


def test_a_kind_turned_off_is_not_sent(app, client, push_service, pair):
    worker, peer, partnership_id = pair
    phone = Browser(push_service)
    subscribe(client, peer, phone, kinds=["checkin_due", "celebration"])
    client.post(f"/api/v1/partnerships/{partnership_id}/goals", headers=worker.headers,
                json={"title": "Walk every morning"})
    run_jobs(app)
    assert push_service.pushes == []


def test_a_check_kept_for_agency_totals_alone_tells_the_worker_nothing(
        app, client, push_service, pair):
    worker, peer, partnership_id = pair
    phone = Browser(push_service)
    subscribe(client, worker, phone)
    low = {"heard": 2, "what-matters": 3, "fits-me": 2, "overall": 2}
    assert client.post("/api/v1/surveys/session-check/responses", headers=peer.headers, json={
        "answers": [{"item": k, "value": v} for k, v in low.items()],
        "partnership_id": partnership_id, "share": "aggregate_only"}).status_code == 201
    run_jobs(app)
    assert push_service.pushes == []


def test_a_commit_queues_the_sending_at_once(app, client, push_service, pair, monkeypatch):
    """The request does not wait for the push service: it queues a job after its commit, and
    the job (here run by hand, as a worker process would) sends."""
    from api import jobs

    monkeypatch.setitem(jobs._state, "app", app)
    while jobs.queue.dequeue() is not None:  # what earlier tests left in the memory queue
        pass
    worker, peer, partnership_id = pair
    phone = Browser(push_service)
    subscribe(client, peer, phone)
    client.post(f"/api/v1/partnerships/{partnership_id}/goals", headers=worker.headers,
                json={"title": "Walk every morning"})
    assert push_service.pushes == []
    task = jobs.queue.dequeue()
    assert task is not None and task.name.endswith("send_to_devices")
    jobs.queue.execute(task)
    [message] = opened(client, phone, push_service)
    assert message["kind"] == "new_goal"
    # A failed request queues nothing: its notifications rolled back with it.
    answer = client.post(f"/api/v1/partnerships/{partnership_id}/goals", headers=worker.headers,
                         json={"title": ""})
    assert answer.status_code == 422
    assert jobs.queue.dequeue() is None


def test_a_scan_that_touches_many_devices_queues_them_in_small_jobs(app, monkeypatch):
    from api import jobs

    while jobs.queue.dequeue() is not None:
        pass
    monkeypatch.setattr(jobs, "DEVICES_PER_JOB", 7)
    with app.app_context():
        worker = make_worker("Many_Devices")
        with unit_of_work():
            user = db.session.get(User, uuid.UUID(worker.id))
            devices = [subscriptions.save(user, None, **push_subscription_body())[0]
                       for _ in range(20)]
            outbox.insert_once([outbox.row(device, "new_goal", dedupe_key="goal:1")
                                for device in devices])
    queued = []
    while (task := jobs.queue.dequeue()) is not None:
        queued.append(task.args[0])
    assert [len(ids) for ids in queued] == [7, 7, 6]
    assert sorted(i for ids in queued for i in ids) == sorted(str(d.id) for d in devices)
