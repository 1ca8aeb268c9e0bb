"""The dashboard's live connection after the API went away: it resumes from the last change it
had, so the counts on screen take in what changed meanwhile; when the API can no longer replay
that far back, it reloads them."""

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Browser, expect

from api.domain.access import Role
from tests.crash_stack import ApiProcess
from tests.dashboard_stack import ReflexServer, chromium, new_database, seed_sync
from tests.test_dashboard import class_count, open_page, sign_in

RECORD = """mutation($input: ActivityInput!) { activityRecord(input: $input) {
  entry { points } errors { message } } }"""
CONTACT = """mutation($input: ContactUpsertInput!) { contactUpsert(input: $input) {
  contact { id } errors { message } } }"""
REPLAY_MAX = 2
AWAY = [f"away{n}@example.com" for n in range(6)]


@dataclass
class Stack:
    url: str
    api: ApiProcess
    writer: ApiProcess
    tokens: dict[Role, str]

    def graphql(self, query: str, variables: dict) -> dict:
        response = httpx.post(
            self.writer.url,
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {self.tokens[Role.ADMIN]}"},
            timeout=30,
        )
        body = response.json()
        assert "errors" not in body, body
        return body["data"]

    def positive_reply(self, email: str) -> None:
        activity = {"contactEmail": email, "type": "POSITIVE_REPLY", "campaignId": "away"}
        answer = self.graphql(RECORD, {"input": activity})["activityRecord"]
        assert answer["errors"] == []


@pytest.fixture(scope="module")
def stack(mongo_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    database = new_database()
    tokens = seed_sync(mongo_uri, database)
    folder = tmp_path_factory.mktemp("resume")
    settings = {"SCORING_LIVE_REPLAY_MAX": str(REPLAY_MAX)}
    api = ApiProcess(mongo_uri, database, folder, settings)
    writer = ApiProcess(mongo_uri, database, folder)
    try:
        api.start()
        writer.start()
        with ReflexServer(api.url, folder / "reflex.log") as dashboard:
            yield Stack(f"http://127.0.0.1:{dashboard.port}", api, writer, tokens)
    finally:
        api.stop()
        writer.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def test_counts_catch_up_after_the_api_comes_back_and_reload_past_the_replay(browser, stack):
    for email in AWAY:
        stack.graphql(CONTACT, {"input": {"email": email}})
    page = open_page(browser)
    sign_in(page, stack)  # type: ignore[arg-type]
    status = page.locator("#live-status")
    expect(status).to_have_text("Live")
    starting, progressing = class_count(page, "GETTING_STARTED"), class_count(page, "PROGRESSING")

    def away_while(emails: list[str]) -> None:
        stack.api.kill()
        expect(status).not_to_have_text("Live")
        for email in emails:
            stack.positive_reply(email)
        stack.api.start()
        expect(status).to_have_text("Live")

    # One change while away: replayed from the dashboard's last cursor.
    away_while(AWAY[:1])
    expect(page.locator("#class-PROGRESSING .class-count")).to_have_text(str(progressing + 1))
    assert class_count(page, "GETTING_STARTED") == starting - 1

    # More than the API replays: told so, the dashboard counts again.
    away_while(AWAY[1:5])
    expect(page.locator("#class-PROGRESSING .class-count")).to_have_text(str(progressing + 5))
    assert class_count(page, "GETTING_STARTED") == starting - 5
    page.close()
