"""View notifications: SMTP settings, schedules per view, and the summary emails they send, with a
real SMTP conversation (aiosmtpd) and concurrent senders on the real database."""

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest

from api.db.client import Store
from api.domain.access import Role
from api.services.notifications import CLAIM_TTL, NOTIFY_TASK, send_due_notifications
from tests.conftest import ServerThread
from tests.mailbox import Mailbox
from tests.test_views import DELETE, HOT, create, people

SMTP_UPDATE = """
mutation($input: SmtpSettingsUpdateInput!) {
  smtpSettingsUpdate(input: $input) {
    smtpSettings { host port sender username passwordSet startTls } errors { field message code }
  }
}"""
SMTP = "{ smtpSettings { host port sender username passwordSet startTls } }"
NOTIFICATION = (
    "enabled frequency time weekday dayOfMonth recipients lastSentAt nextSendAt lastError"
)
NOTIFY = f"""
mutation($input: ScoreViewNotificationUpdateInput!) {{
  scoreViewNotificationUpdate(input: $input) {{
    notification {{ {NOTIFICATION} }} scoreView {{ id }} errors {{ field message code }}
  }}
}}"""
SHOWN = f"query($id: ID!) {{ scoreView(id: $id) {{ notification {{ {NOTIFICATION} }} }} }}"
VIEW_UPDATE = """
mutation($input: ScoreViewUpdateInput!) { scoreViewUpdate(input: $input) { errors { code } } }"""
DAILY = {"frequency": "DAILY", "time": "09:30", "recipients": ["Boss@Example.com", "team@x.io"]}


def local_smtp(port: int, **extra) -> dict:
    return {"host": "127.0.0.1", "port": port, "sender": "scores@x.io", **extra}


async def set_smtp(api, role: Role = Role.ADMIN, **input_) -> dict:
    return (await api.data(SMTP_UPDATE, {"input": input_}, role=role))["smtpSettingsUpdate"]


async def notify(api, view_id: str, role: Role = Role.EDITOR, **input_) -> dict:
    variables = {"input": {"viewId": view_id, **input_}}
    return (await api.data(NOTIFY, variables, role=role))["scoreViewNotificationUpdate"]


async def shown(api, view_id: str) -> dict | None:
    return (await api.data(SHOWN, {"id": view_id}))["scoreView"]["notification"]


def moment(text: str | None) -> datetime:
    assert text is not None
    return datetime.fromisoformat(text)


async def hot_view_sent_daily(api, mailbox) -> tuple[str, datetime]:
    """Five people, 'Hot leads' (3 of them) emailed daily, SMTP set: the view and its due time."""
    await people(api)
    view_id = (await create(api, **HOT))["scoreView"]["id"]
    assert (await set_smtp(api, **local_smtp(mailbox.port)))["errors"] == []
    result = await notify(api, view_id, **DAILY)
    assert result["errors"] == []
    return view_id, moment(result["notification"]["nextSendAt"])


async def test_smtp_settings_are_kept_and_the_password_never_shown(api, store):
    assert (await api.data(SMTP))["smtpSettings"] is None
    saved = await set_smtp(
        api, **local_smtp(2525, username="mailer", password="s3cret", startTls=True)
    )
    assert saved["errors"] == []
    expected = {
        "host": "127.0.0.1",
        "port": 2525,
        "sender": "scores@x.io",
        "username": "mailer",
        "passwordSet": True,
        "startTls": True,
    }
    assert saved["smtpSettings"] == expected
    assert (await api.data(SMTP))["smtpSettings"] == expected
    assert (await store.smtp.get()).password == "s3cret"

    kept = await set_smtp(api, **local_smtp(587, username="mailer"))
    assert kept["smtpSettings"]["passwordSet"] and kept["smtpSettings"]["port"] == 587
    assert (await store.smtp.get()).password == "s3cret"
    removed = await set_smtp(api, **local_smtp(587, username="mailer", password=""))
    assert removed["smtpSettings"]["passwordSet"] is False
    no_login = await set_smtp(api, **local_smtp(587))
    assert no_login["smtpSettings"]["username"] is None


async def test_bad_smtp_settings_are_reported_and_change_nothing(api, store):
    await set_smtp(api, **local_smtp(2525))
    before = await store.smtp.collection.find_one({"_id": "smtp"})
    cases = [
        (local_smtp(2525, host=" "), "host", "REQUIRED"),
        (local_smtp(2525, host="mail server"), "host", "INVALID"),
        (local_smtp(0), "port", "OUT_OF_RANGE"),
        (local_smtp(65536), "port", "OUT_OF_RANGE"),
        (local_smtp(2525, sender="scores"), "sender", "INVALID"),
        (local_smtp(2525, password="s3cret"), "username", "REQUIRED"),
    ]
    for input_, field, code in cases:
        result = await set_smtp(api, **input_)
        assert result["smtpSettings"] is None
        assert [(e["field"], e["code"]) for e in result["errors"]] == [(field, code)], input_
    assert await store.smtp.collection.find_one({"_id": "smtp"}) == before


async def test_only_admins_see_or_change_smtp_settings(api, store):
    for role in (Role.VIEWER, Role.EDITOR):
        body = await api.call(SMTP_UPDATE, {"input": local_smtp(2525)}, role=role)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        body = await api.call(SMTP, role=role)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await store.smtp.get() is None


async def test_notification_settings_are_set_edited_disabled_and_enabled(api, store):
    view_id = (await create(api, **HOT))["scoreView"]["id"]
    assert await shown(api, view_id) is None
    weekly = await notify(
        api,
        view_id,
        frequency="WEEKLY",
        time="07:15",
        weekday="MONDAY",
        dayOfMonth=3,
        recipients=["Boss@Example.com", "boss@example.com", "team@x.io"],
    )
    assert weekly["errors"] == [] and weekly["scoreView"]["id"] == view_id
    found = weekly["notification"]
    assert (found["enabled"], found["frequency"], found["time"]) == (True, "WEEKLY", "07:15")
    assert (found["weekday"], found["dayOfMonth"]) == ("MONDAY", None)  # only what WEEKLY uses
    assert found["recipients"] == ["boss@example.com", "team@x.io"]
    assert found["lastSentAt"] is None and found["lastError"] is None
    next_at = moment(found["nextSendAt"])
    assert next_at.strftime("%A %H:%M") == "Monday 07:15" and next_at.utcoffset() == timedelta(0)
    assert await shown(api, view_id) == found

    disabled = (await notify(api, view_id, enabled=False))["notification"]
    assert disabled["enabled"] is False and disabled["nextSendAt"] is None
    assert disabled["recipients"] == found["recipients"]  # omitted fields keep their value
    enabled = (await notify(api, view_id, enabled=True))["notification"]
    assert enabled["nextSendAt"] == found["nextSendAt"]

    monthly = (await notify(api, view_id, frequency="MONTHLY", dayOfMonth=28))["notification"]
    assert (monthly["weekday"], monthly["dayOfMonth"], monthly["time"]) == (None, 28, "07:15")
    assert moment(monthly["nextSendAt"]).day == 28

    await api.data(DELETE, {"input": {"id": view_id}})
    assert await store.notifications.collection.count_documents({}) == 0


async def test_bad_notification_settings_are_reported_and_change_nothing(api, store):
    view_id = (await create(api, **HOT))["scoreView"]["id"]
    cases = [
        ({"viewId": "nope", **DAILY}, "viewId", "NOT_FOUND"),
        ({"time": "09:30", "recipients": ["a@x.io"]}, "frequency", "REQUIRED"),
        ({"frequency": "DAILY", "recipients": ["a@x.io"]}, "time", "REQUIRED"),
        ({**DAILY, "time": "25:00"}, "time", "INVALID"),
        ({**DAILY, "time": "9.30am"}, "time", "INVALID"),
        ({**DAILY, "frequency": "WEEKLY"}, "weekday", "REQUIRED"),
        ({**DAILY, "frequency": "MONTHLY"}, "dayOfMonth", "REQUIRED"),
        ({**DAILY, "frequency": "MONTHLY", "dayOfMonth": 31}, "dayOfMonth", "OUT_OF_RANGE"),
        ({**DAILY, "frequency": "MONTHLY", "dayOfMonth": 0}, "dayOfMonth", "OUT_OF_RANGE"),
        ({**DAILY, "recipients": []}, "recipients", "REQUIRED"),
        ({**DAILY, "recipients": [f"p{i}@x.io" for i in range(21)]}, "recipients", "TOO_MANY"),
        ({**DAILY, "recipients": ["a@x.io", "not an email"]}, "recipients.1", "INVALID"),
    ]
    for input_, field, code in cases:
        result = await notify(api, **{"view_id": view_id, **input_})
        assert result["notification"] is None
        assert (field, code) in [(e["field"], e["code"]) for e in result["errors"]], input_
    assert await store.notifications.collection.count_documents({}) == 0

    await notify(api, view_id, **DAILY)
    before = await store.notifications.collection.find_one({"_id": view_id})
    refused = await notify(api, view_id, time="24:00", recipients=["x"])
    assert {e["field"] for e in refused["errors"]} == {"time", "recipients.0"}
    assert await store.notifications.collection.find_one({"_id": view_id}) == before


async def test_viewers_cannot_set_notifications(api, store):
    view_id = (await create(api, **HOT))["scoreView"]["id"]
    body = await api.call(NOTIFY, {"input": {"viewId": view_id, **DAILY}}, role=Role.VIEWER)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await store.notifications.collection.count_documents({}) == 0
    assert (await notify(api, view_id, role=Role.EDITOR, **DAILY))["errors"] == []


async def test_a_due_email_goes_out_once_among_concurrent_senders(
    api, store, mailbox, mongo_uri, database_name
):
    view_id, due = await hot_view_sent_daily(api, mailbox)
    assert due.strftime("%H:%M") == "09:30"

    assert await send_due_notifications(store, due - timedelta(seconds=1)) == 0
    assert mailbox.received == []

    others = [Store(mongo_uri, database_name) for _ in range(2)]  # as other API processes
    try:
        counts = await asyncio.gather(*(send_due_notifications(s, due) for s in [store, *others]))
    finally:
        for other in others:
            other.close()
    assert sorted(counts) == [0, 0, 1]
    assert len(mailbox.received) == 1
    assert await send_due_notifications(store, due + timedelta(minutes=1)) == 0  # a retry
    assert len(mailbox.received) == 1

    mail = mailbox.received[0]
    assert mail.mail_from == "scores@x.io"
    assert sorted(mail.rcpt_tos) == ["boss@example.com", "team@x.io"]
    assert mail.message["Subject"] == "Daily summary: Score view 'Hot leads', 3 contacts"
    text = mail.text()
    for line in [
        "Condition: score at least 30",
        "Period: all time (the total score)",
        "Mailing lists: all contacts",
        "Total contacts: 3",
        "  newsletter: 2",
        "  vip: 1",
        "  France: 2",
        "  Spain: 1",
        "Top 3 contacts by score:",
        "  3. cy@x.io: 30",
    ]:
        assert line in text.splitlines(), (line, text)
    assert "http" not in text
    assert "<td>newsletter</td><td>2</td>" in mail.html()

    after = await shown(api, view_id)
    assert moment(after["lastSentAt"]) == due
    assert moment(after["nextSendAt"]) == due + timedelta(days=1)
    assert after["lastError"] is None
    assert await send_due_notifications(store, due + timedelta(days=1)) == 1
    assert len(mailbox.received) == 2


async def test_an_email_claimed_by_a_process_that_died_is_sent_once_the_claim_expires(
    api, store, mailbox
):
    view_id, due = await hot_view_sent_daily(api, mailbox)
    dead = await store.notifications.claim(view_id, due, due, CLAIM_TTL)  # and then it died
    assert dead is not None
    assert await send_due_notifications(store, due + CLAIM_TTL - timedelta(seconds=1)) == 0
    assert mailbox.received == []
    assert await send_due_notifications(store, due + CLAIM_TTL) == 1
    assert len(mailbox.received) == 1
    await store.notifications.sent(dead, due + CLAIM_TTL, due)  # it wakes up: no harm done
    assert (await store.notifications.get(view_id)).next_send_at == due + timedelta(days=1)


async def test_disabled_notifications_send_nothing(api, store, mailbox):
    view_id, due = await hot_view_sent_daily(api, mailbox)
    await notify(api, view_id, enabled=False)
    assert await send_due_notifications(store, due + timedelta(days=3)) == 0
    assert mailbox.received == []
    assert (await shown(api, view_id))["lastSentAt"] is None


async def test_a_failed_delivery_is_recorded_and_retried(api, store):
    with Mailbox() as box:
        view_id, due = await hot_view_sent_daily(api, box)
    assert (await set_smtp(api, **local_smtp(box.port)))["errors"] == []  # now nobody listens

    assert await send_due_notifications(store, due) == 0
    failed = await shown(api, view_id)
    assert "did not take the email" in failed["lastError"]
    assert moment(failed["nextSendAt"]) == due and failed["lastSentAt"] is None

    edited = (await notify(api, view_id, recipients=["new@x.io"]))["notification"]
    assert moment(edited["nextSendAt"]) == due  # still due: the edit does not skip it

    with Mailbox(port=box.port) as back:
        later = due + timedelta(minutes=1)
        assert await send_due_notifications(store, later) == 1
        assert [mail.rcpt_tos for mail in back.received] == [["new@x.io"]]
    sent = await shown(api, view_id)
    assert sent["lastError"] is None and moment(sent["lastSentAt"]) == later
    assert moment(sent["nextSendAt"]) == due + timedelta(days=1)


async def test_without_smtp_settings_the_error_says_so(api, store):
    await people(api)
    view_id = (await create(api, **HOT))["scoreView"]["id"]
    due = moment((await notify(api, view_id, **DAILY))["notification"]["nextSendAt"])
    assert await send_due_notifications(store, due) == 0
    assert "smtpSettingsUpdate" in (await shown(api, view_id))["lastError"]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
async def test_the_server_login_is_used_when_set(api, store):
    with Mailbox(logins={"mailer": "s3cret"}) as box:
        view_id, due = await hot_view_sent_daily(api, box)
        assert await send_due_notifications(store, due) == 0
        assert "Authentication required" in (await shown(api, view_id))["lastError"]

        await set_smtp(api, **local_smtp(box.port, username="mailer", password="s3cret"))
        assert await send_due_notifications(store, due) == 1
    assert [mail.login for mail in box.received] == ["mailer"]


def fixed_range() -> dict:
    """The last 30 days, today included, as a fixed date range."""
    today = datetime.now(UTC).date()
    start = today - timedelta(days=30)
    return {"kind": "DATE_RANGE", "start": start.isoformat(), "end": today.isoformat()}


async def test_a_fixed_range_view_gets_no_periodic_email(api, store, mailbox):
    fixed_id = await create_fixed_range_view(api)
    refused = await notify(api, fixed_id, **DAILY)
    assert refused["notification"] is None
    [error] = refused["errors"]
    assert (error["field"], error["code"]) == ("frequency", "INVALID")
    assert "fixed date range" in error["message"] and "scoreViewEmailSend" in error["message"]
    assert await store.notifications.collection.count_documents({}) == 0

    # A view changed to a fixed range later: its schedule stops applying.
    view_id, due = await hot_view_sent_daily(api, mailbox)
    changed = await api.data(
        VIEW_UPDATE, {"input": {"id": view_id, **HOT, "period": fixed_range()}}
    )
    assert changed["scoreViewUpdate"]["errors"] == []
    assert (await shown(api, view_id))["nextSendAt"] is None
    assert await send_due_notifications(store, due) == 0
    assert mailbox.received == []
    skipped = await store.notifications.get(view_id)
    assert skipped.next_send_at == due + timedelta(days=1) and skipped.last_sent_at is None
    assert (await notify(api, view_id, enabled=False))["errors"] == []  # switching off is fine


async def create_fixed_range_view(api) -> str:
    """'This month': score at least 30 over the last 30 days as a fixed date range."""
    created = await create(
        api, name="This month", period=fixed_range(), scoreCondition=HOT["scoreCondition"]
    )
    return created["scoreView"]["id"]


async def test_the_app_sends_due_emails_on_its_own(
    api, store, mailbox, mongo_uri, database_name, monkeypatch
):
    view_id, _ = await hot_view_sent_daily(api, mailbox)
    # Due a minute ago: the next round of any API process sends it, with nobody asking.
    due = datetime.now(UTC) - timedelta(minutes=1)
    await store.notifications.collection.update_one({"_id": view_id}, {"$set": {"nextSendAt": due}})
    # The `api` fixture's process took the lease at its start and keeps it for minutes: let it
    # run out, as when that process dies, so the new one takes over.
    await store.leases.collection.delete_one({"_id": NOTIFY_TASK})
    monkeypatch.setenv("SCORING_NOTIFY_INTERVAL", "0.1")
    with ServerThread(mongo_uri, database_name):
        deadline = time.monotonic() + 30
        while not mailbox.received:
            assert time.monotonic() < deadline, "the scheduler sent nothing"
            await asyncio.sleep(0.05)
    assert len(mailbox.received) == 1
    assert "Hot leads" in mailbox.received[0].message["Subject"]
    assert moment((await shown(api, view_id))["lastSentAt"]) > due
