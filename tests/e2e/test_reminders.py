"""Reminders on a phone, in real Chromium: a push reaches the service worker and shows a
notification whose tap opens the view it is about; Settings → Reminders turns push on only
when asked, keeps each choice, follows a rotated server key and turns off (and sign-out
stops the browser's subscription); an iPhone outside a Home Screen app is told to add it
and offered the calendar link.

Headless Chromium has no push service: the settings flow stubs PushManager and
Notification.requestPermission in the page with a subscription holding a real P-256 key
(the server checks it is a point on the curve)."""

import base64
import json
import os
import tempfile
import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, new_phone, open_view, signed_in_as
from tests.e2e.test_pwa_together import api_token, controlled

IPHONE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
             "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def browser_keys() -> dict:
    """Keys as a browser makes them for a subscription: a P-256 point and a 16-byte secret."""
    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        Encoding.X962, PublicFormat.UncompressedPoint)
    return {"p256dh": b64url(point), "auth": b64url(os.urandom(16))}


# The page's push machinery, faked: what it was asked is counted in localStorage (it lives
# across reloads; sign-out's Clear-Site-Data wipes it, so that is read before).
FAKE_PUSH = """(() => {
  const fake = %s;
  const read = (name, fallback) =>
    JSON.parse(localStorage.getItem('fake.' + name) ?? JSON.stringify(fallback));
  const write = (name, value) => localStorage.setItem('fake.' + name, JSON.stringify(value));
  const subscription = (key) => ({
    endpoint: fake.endpoint, expirationTime: null,
    options: { userVisibleOnly: true, applicationServerKey: new Uint8Array(key).buffer },
    toJSON() { return { endpoint: fake.endpoint, expirationTime: null, keys: fake.keys }; },
    async unsubscribe() {
      localStorage.removeItem('fake.key');
      write('unsubscribed', read('unsubscribed', 0) + 1);
      return true;
    },
  });
  Object.defineProperty(Notification, 'permission', { configurable: true,
    get: () => read('permission', 'default') });
  Notification.requestPermission = async () => {
    write('asked', read('asked', 0) + 1);
    write('permission', 'granted');
    return 'granted';
  };
  PushManager.prototype.getSubscription = async function () {
    const key = read('key', null);
    return key ? subscription(key) : null;
  };
  PushManager.prototype.subscribe = async function (options) {
    const key = [...new Uint8Array(options.applicationServerKey)];
    write('key', key);
    write('subscribed', read('subscribed', 0) + 1);
    return subscription(key);
  };
})();"""


def fake(page, name: str):
    return page.evaluate(f"JSON.parse(localStorage.getItem('fake.{name}'))")


def worker_with_peer(client, name: str = "Rosa") -> dict:
    """A worker (registered through the API) with a peer, Kim, who joined."""
    tag = uuid.uuid4().hex[:8]
    email = f"{name.lower()}-{tag}@example.org"
    assert client.post("/api/v1/auth/register", json={
        "email": email, "password": PASSWORD, "display_name": name}).status_code == 201
    token = api_token(client, email=email)
    auth = {"Authorization": f"Bearer {token}"}
    code = client.post("/api/v1/invites", json={}, headers=auth).get_json()["code"]
    accepted = client.post(f"/api/v1/invites/{code}/accept", json={
        "display_name": "Kim", "username": f"kim{tag}", "password": PASSWORD}).get_json()
    return {"email": email, "token": token, "partnership": accepted["partnership_id"]}


def devices(client, token: str) -> list[dict]:
    response = client.get("/api/v1/me/push-subscriptions",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def no_axe_violations(page, include: str) -> None:
    results = Axe().run(page, context={"include": [[include]]})
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture
def shots():
    folder = os.environ.get("SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="rapport-reminders-")
    os.makedirs(folder, exist_ok=True)
    return folder


def snap(section, path: str) -> None:
    """The section alone, without the sticky top bar scrolled over it."""
    section.page.evaluate("document.querySelectorAll('header.bar')"
                          ".forEach(bar => { bar.style.position = 'static'; })")
    section.screenshot(path=path)


def push_registration_id(cdp, base: str) -> str:
    found = []
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda event: found.extend(r["registrationId"] for r in event["registrations"]
                                      if r["scopeURL"] == f"{base}/" and not r["isDeleted"]))
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        if found:
            return found[-1]
        cdp.send("Runtime.evaluate", {"expression": "1"})  # let the event arrive
    raise AssertionError("no service worker registration for the app")


def shown(page, count: int) -> list[dict]:
    """The app's notifications, once there are `count` of them."""
    for _ in range(50):
        found = page.evaluate(SHOWN)
        if len(found) == count:
            return found
        page.wait_for_timeout(100)
    raise AssertionError(f"{count} notifications expected, found {found}")


SHOWN = """async () => (await (await navigator.serviceWorker.ready).getNotifications())
    .map(n => ({ title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url }))"""


def test_a_push_shows_a_notification_whose_tap_opens_its_view(chromium, live_server, client):
    worker = worker_with_peer(client)
    phone = new_phone(chromium)
    try:
        phone.context.grant_permissions(["notifications"], origin=live_server)
        signed_in_as(phone, live_server, worker["token"])
        controlled(phone)
        cdp = phone.context.new_cdp_session(phone)
        registration = push_registration_id(cdp, live_server)
        url = f"#/partnerships/{worker['partnership']}"
        payload = {"title": "Rapport", "body": "A check-in is due in Rapport.",
                   "kind": "checkin_due", "count": 1, "url": url, "tag": "rapport-checkin_due"}
        cdp.send("ServiceWorker.deliverPushMessage", {
            "origin": live_server, "registrationId": registration, "data": json.dumps(payload)})
        assert shown(phone, 1) == [{"title": "Rapport", "body": "A check-in is due in Rapport.",
                                          "tag": "rapport-checkin_due", "url": url}]

        # What cannot be read still shows something (userVisibleOnly), and goes nowhere else.
        cdp.send("ServiceWorker.deliverPushMessage", {
            "origin": live_server, "registrationId": registration, "data": "not json {"})
        generic = next(n for n in shown(phone, 2) if n["tag"] == "rapport")
        assert generic == {"title": "Rapport", "body": "Something new in Rapport.",
                           "tag": "rapport", "url": "#/"}

        # The tap: the worker's own click handler, on the notification it showed.
        [service_worker] = phone.context.service_workers
        service_worker.evaluate("""async (tag) => {
            const [shown] = await self.registration.getNotifications({ tag });
            await openFromNotification(shown);
        }""", "rapport-checkin_due")
        expect(phone).to_have_url(f"{live_server}/{url}")
        expect(phone.locator("main h1")).to_have_text("With Kim")
        remaining = [n["tag"] for n in shown(phone, 1)]
        assert remaining == ["rapport"]  # the tapped one was closed
        assert phone.errors == []
    finally:
        phone.context.close()


def test_turning_reminders_on_choosing_and_off_at_360px(chromium, live_server, client, shots):
    worker = worker_with_peer(client)
    endpoint = f"https://fcm.googleapis.com/fcm/send/{uuid.uuid4().hex}:APA91b{uuid.uuid4().hex}"
    phone = new_phone(chromium)
    try:
        phone.context.add_init_script(FAKE_PUSH % json.dumps(
            {"endpoint": endpoint, "keys": browser_keys()}))
        signed_in_as(phone, live_server, worker["token"])
        open_view(phone, live_server, "#/settings", wait="#reminders")
        section = phone.locator("section.reminders")
        turn_on = section.get_by_role("button", name="Turn on reminders on this phone")
        expect(turn_on).to_be_visible()
        assert fake(phone, "asked") is None  # never asked on load
        no_axe_violations(phone, "section.reminders")

        turn_on.click()
        expect(section.get_by_role("button", name="Turn off on this phone")).to_be_visible()
        assert fake(phone, "asked") == 1
        [device] = devices(client, worker["token"])  # the browser's own session
        assert device["this_device"] is True and device["push_service"] == "fcm.googleapis.com"
        assert device["detail"] == "private" and device["quiet_hours"] is None
        assert "talk_flag" in device["kinds"]  # a worker hears when a peer asks to talk
        expect(section.get_by_label("Show names on the lock screen")).not_to_be_checked()
        expect(section).to_contain_text("Words people wrote are never shown.")

        # Quiet hours on, 21:30 to 06:45; no celebrations; then reload: all kept.
        section.get_by_label("Someone sends me a celebration").uncheck()
        section.get_by_label("Quiet hours", exact=True).check()
        section.get_by_label("From").fill("21:30")
        section.get_by_label("Until").fill("06:45")
        section.get_by_role("button", name="Save").click()
        expect(phone.locator("#status")).to_have_text("Reminder choices saved.")
        [device] = devices(client, worker["token"])
        assert device["quiet_hours"] == {"start": "21:30", "end": "06:45"}
        assert "celebration" not in device["kinds"] and "checkin_due" in device["kinds"]
        open_view(phone, live_server, "#/settings", wait="#reminders")
        expect(section.get_by_label("From")).to_have_value("21:30")
        expect(section.get_by_label("Until")).to_have_value("06:45")
        expect(section.get_by_label("Someone sends me a celebration")).not_to_be_checked()
        expect(section.get_by_label("A check-in is due")).to_be_checked()
        section.scroll_into_view_if_needed()
        snap(section, os.path.join(shots, "reminders-on.png"))
        no_axe_violations(phone, "section.reminders")

        # The server's key changed: the phone subscribes again, with the same choices.
        phone.evaluate("localStorage.setItem('fake.key', JSON.stringify(Array(65).fill(4)))")
        open_view(phone, live_server, "#/settings", wait="#reminders")
        expect(section.get_by_label("From")).to_have_value("21:30")
        phone.wait_for_function("() => localStorage.getItem('fake.subscribed') === '2'")
        [again] = devices(client, worker["token"])
        assert again["id"] != device["id"] and again["this_device"]
        assert (again["quiet_hours"], again["kinds"]) == (device["quiet_hours"], device["kinds"])
        assert fake(phone, "unsubscribed") == 1
        server_key = client.get("/api/v1/push/key").get_json()["public_key"]
        assert b64url(bytes(fake(phone, "key"))) == server_key

        section.get_by_role("button", name="Turn off on this phone").click()
        expect(turn_on).to_be_visible()
        assert devices(client, worker["token"]) == []
        assert fake(phone, "unsubscribed") == 2 and fake(phone, "key") is None
        assert phone.errors == []
    finally:
        phone.context.close()


def test_reminders_section_passes_axe_in_dark_mode_and_sign_out_unsubscribes(
        chromium, live_server, client, shots):
    worker = worker_with_peer(client)
    phone = new_phone(chromium, color_scheme="dark")
    try:
        phone.context.add_init_script(FAKE_PUSH % json.dumps(
            {"endpoint": f"https://fcm.googleapis.com/fcm/send/{uuid.uuid4().hex}",
             "keys": browser_keys()}))
        browser_token = worker["token"]
        signed_in_as(phone, live_server, browser_token)
        open_view(phone, live_server, "#/settings", wait="#reminders")
        no_axe_violations(phone, "section.reminders")
        phone.get_by_role("button", name="Turn on reminders on this phone").click()
        section = phone.locator("section.reminders")
        expect(section.get_by_role("button", name="Turn off on this phone")).to_be_visible()
        section.get_by_label("One summary a day instead of each reminder").check()
        section.get_by_label("Send it at").fill("19:00")
        section.get_by_label("Show names on the lock screen").check()
        section.get_by_role("button", name="Save").click()
        expect(phone.locator("#status")).to_have_text("Reminder choices saved.")
        [device] = devices(client, browser_token)
        assert (device["daily_summary"], device["summary_at"], device["detail"]) == (
            True, "19:00", "names")
        section.scroll_into_view_if_needed()
        snap(section, os.path.join(shots, "reminders-dark.png"))
        no_axe_violations(phone, "section.reminders")

        # Sign out: the browser's subscription is dropped before the server clears the site.
        unsubscribed = []
        phone.expose_function("noteUnsubscribed", lambda: unsubscribed.append(1))
        phone.evaluate("""() => {
            const before = PushManager.prototype.getSubscription;
            PushManager.prototype.getSubscription = async function () {
                const found = await before.call(this);
                if (!found) return found;
                const drop = found.unsubscribe;
                found.unsubscribe = async () => { await window.noteUnsubscribed(); return drop(); };
                return found;
            };
        }""")
        phone.get_by_role("button", name="Sign out").click()
        expect(phone.locator("#status")).to_have_text("You are signed out.")
        assert unsubscribed == [1]
        other = api_token(client, email=worker["email"])
        assert devices(client, other) == []  # the session's device went with it
    finally:
        phone.context.close()


def test_an_iphone_outside_the_home_screen_is_told_to_add_it_and_offered_the_calendar(
        chromium, live_server, client, shots):
    worker = worker_with_peer(client)
    phone = new_phone(chromium, user_agent=IPHONE_UA)
    try:
        signed_in_as(phone, live_server, worker["token"])
        open_view(phone, live_server, "#/settings", wait="#reminders")
        section = phone.locator("section.reminders")
        expect(section).to_contain_text(
            "reminders only work after you add Rapport to your Home Screen")
        turn_on = section.get_by_role("button", name="Turn on reminders on this phone")
        expect(turn_on).to_have_count(0)
        link = section.get_by_role("link", name="Calendar link for check-ins with Kim")
        expect(link).to_have_attribute("href", f"#/partnerships/{worker['partnership']}/settings")
        snap(section, os.path.join(shots, "reminders-iphone.png"))
        no_axe_violations(phone, "section.reminders")
        link.click()
        expect(phone.locator("h2#calendar")).to_have_text("Calendar")
        assert phone.errors == []
    finally:
        phone.context.close()
