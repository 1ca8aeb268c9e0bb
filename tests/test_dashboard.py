"""The dashboard in headless Chromium, against the real API and database.

Screenshots of every screen, at 1280x800 and 390x844, go to test-artifacts/screens (not committed).
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from api.domain.access import Role
from tests.conftest import ServerThread
from tests.dashboard_stack import ReflexServer, Stack, chromium, new_database, seed_sync

RECORD = """mutation($input: ActivityInput!) { activityRecord(input: $input) {
  entry { points } errors { message } } }"""


@pytest.fixture(scope="module")
def stack(mongo_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    database = new_database()
    tokens = seed_sync(mongo_uri, database)
    log = tmp_path_factory.mktemp("reflex") / "reflex.log"
    with ServerThread(mongo_uri, database) as api:
        api_url = f"http://127.0.0.1:{api.port}/graphql"
        with ReflexServer(api_url, log) as dashboard:
            yield Stack(f"http://127.0.0.1:{dashboard.port}", api_url, tokens)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def screens(artifacts: Path) -> Path:
    path = artifacts / "screens"
    path.mkdir(exist_ok=True)
    return path


def readme_shot(page: Page, screens: Path, name: str) -> None:
    """The viewport as a small JPEG, the kind the README shows (copied to docs/ by hand)."""
    page.wait_for_timeout(300)
    page.screenshot(path=screens / f"readme-{name}.jpg", type="jpeg", quality=70)


def open_page(browser: Browser, width: int = 1280, height: int = 800) -> Page:
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(20_000)
    return page


def sign_in(page: Page, stack: Stack, role: Role = Role.ADMIN) -> None:
    page.goto(f"{stack.url}/login")
    page.fill("#token", stack.tokens[role])
    page.click("#sign-in")
    expect(page.locator("#role-badge")).to_have_text(role.value)


def class_count(page: Page, key: str) -> int:
    return int(page.locator(f"#class-{key} .class-count").inner_text())


def test_sign_in_and_see_the_classes(browser, stack, screens):
    page = open_page(browser)
    page.goto(f"{stack.url}/")
    expect(page).to_have_url(f"{stack.url}/login")
    page.fill("#token", "cs_not_a_token")
    page.click("#sign-in")
    expect(page.locator(".api-error")).to_contain_text("not recognised")
    page.screenshot(path=screens / "login.png")
    sign_in(page, stack)
    expect(page.locator("#class-MOST_ENGAGED")).to_be_visible()
    counts = {k: class_count(page, k) for k in ("MOST_ENGAGED", "PROGRESSING", "GETTING_STARTED")}
    assert counts == {"MOST_ENGAGED": 2, "PROGRESSING": 1, "GETTING_STARTED": 1}
    expect(page.locator("#live-status")).to_have_text("Live")
    page.screenshot(path=screens / "classification.png", full_page=True)
    readme_shot(page, screens, "classification")
    page.click("#class-PROGRESSING")
    expect(page.locator(".contact-row")).to_have_count(1)
    expect(page.locator(".contact-row")).to_contain_text("grace@example.com")
    page.close()


def test_contact_timeline_updates_live(browser, stack, screens):
    page = open_page(browser)
    sign_in(page, stack)
    page.goto(f"{stack.url}/contacts")
    expect(page.locator(".contact-row")).to_have_count(4)
    page.screenshot(path=screens / "contacts.png", full_page=True)
    readme_shot(page, screens, "contacts")
    page.locator(".contact-row", has_text="grace@example.com").click()
    expect(page.locator("#contact-score")).to_have_text("50")
    entries = page.locator(".timeline-entry")
    expect(entries).to_have_count(4)
    expect(entries.first).to_contain_text("3rd click of campaign c0")
    expect(page.locator("#live-status")).to_have_text("Live")
    stack.graphql(
        RECORD,
        {
            "input": {
                "contactEmail": "grace@example.com",
                "type": "POSITIVE_REPLY",
                "campaignId": "c0",
            }
        },
        role=Role.EDITOR,
    )
    expect(page.locator("#contact-score")).to_have_text("90")  # no reload
    expect(entries).to_have_count(5)
    expect(entries.first).to_contain_text("Positive reply of campaign c0")
    page.screenshot(path=screens / "contact.png", full_page=True)
    readme_shot(page, screens, "contact")
    page.close()


def test_class_counts_change_live(browser, stack):
    page = open_page(browser)
    sign_in(page, stack)
    expect(page.locator("#live-status")).to_have_text("Live")
    before = class_count(page, "GETTING_STARTED")
    stack.graphql(
        RECORD,
        {
            "input": {
                "contactEmail": "linus@example.com",
                "type": "POSITIVE_REPLY",
                "campaignId": "x",
            }
        },
        role=Role.EDITOR,
    )
    expect(page.locator("#class-PROGRESSING .class-count")).not_to_have_text("1")
    assert class_count(page, "GETTING_STARTED") == before - 1
    page.close()


def test_manual_score_and_api_errors_are_shown(browser, stack):
    page = open_page(browser)
    sign_in(page, stack, Role.EDITOR)
    page.goto(f"{stack.url}/contacts")
    page.locator(".contact-row", has_text="ada@example.com").click()
    expect(page.locator("#contact-score")).not_to_have_text("0")
    page.fill("#manual-score", "55")
    page.click("#set-score")  # no reason: the API refuses, the page says why
    expect(page.locator(".api-error")).to_contain_text("reason is required")
    page.fill("#manual-score", "55")
    page.fill("#manual-reason", "Met at the fair")
    page.click("#set-score")
    expect(page.locator("#contact-score")).to_have_text("55")
    expect(page.locator(".timeline-entry").first).to_contain_text("Met at the fair")
    page.close()


def test_admin_edits_a_threshold(browser, stack):
    page = open_page(browser)
    sign_in(page, stack)
    page.fill("#most-engaged-min", "200")
    page.fill("#progressing-min", "300")
    page.click("#save-thresholds")
    expect(page.locator(".api-error")).to_contain_text("lower than mostEngagedMin")
    page.fill("#most-engaged-min", "150")
    page.fill("#progressing-min", "30")
    page.click("#save-thresholds")
    expect(page.locator("#thresholds")).to_contain_text("Most engaged from 150")
    data = stack.graphql("{ classification { mostEngagedMin progressingMin } }")
    assert data["classification"] == {"mostEngagedMin": 150, "progressingMin": 30}
    page.close()


def test_viewer_sees_no_admin_controls(browser, stack, screens):
    page = open_page(browser)
    sign_in(page, stack, Role.VIEWER)
    expect(page.locator("#thresholds")).to_be_visible()
    expect(page.locator("#save-thresholds")).to_have_count(0)
    page.goto(f"{stack.url}/reset")
    expect(page.get_by_text("Only admins can reset scores.")).to_be_visible()
    expect(page.locator("#reset-now")).to_have_count(0)
    page.goto(f"{stack.url}/setup")
    expect(page.locator("#save-sheet")).to_have_count(0)
    page.close()


def test_setup_screen_pauses_and_edits_points(browser, stack, screens):
    page = open_page(browser)
    sign_in(page, stack)
    page.goto(f"{stack.url}/setup")
    page.fill("#points-UNIQUE_OPEN", "150")
    page.click("#save-sheet")  # the allowed range is enforced before anything is sent
    assert page.locator("#points-UNIQUE_OPEN").evaluate("e => e.validity.rangeOverflow")
    expect(page.locator(".notice")).to_have_count(0)
    page.fill("#points-UNIQUE_OPEN", "15")
    page.click("#save-sheet")
    expect(page.locator(".notice")).to_contain_text("Score sheet saved")
    page.click("#scoring-enabled")
    expect(page.locator(".notice")).to_contain_text("Scoring paused")
    page.screenshot(path=screens / "setup.png", full_page=True)
    readme_shot(page, screens, "setup")
    sheet = stack.graphql("{ scoreSheet { enabled entries { activity points } } }")["scoreSheet"]
    assert sheet["enabled"] is False
    assert {"activity": "UNIQUE_OPEN", "points": 15} in sheet["entries"]
    page.click("#scoring-enabled")
    expect(page.locator(".notice")).to_contain_text("Scoring resumed")
    page.close()


def test_admin_manages_rules(browser, stack, screens):
    def linus_score() -> int:
        found = stack.graphql('{ contact(email: "linus@example.com") { score } }')
        return found["contact"]["score"]

    def field_points_updated(notice: str) -> None:
        """The change's notice, then its field-rule sync followed live until it is done."""
        expect(page.locator(".notice")).to_contain_text(notice)
        expect(page.locator("#field-rule-sync")).to_have_text(
            "Field points updated: 1 contact changed"
        )

    before = linus_score()
    page = open_page(browser)
    sign_in(page, stack)
    page.goto(f"{stack.url}/rules")
    expect(page.get_by_text("No field rule yet.")).to_be_visible()
    page.fill("#field-rule-name", "Finnish contacts")
    page.fill("#field-rule-points", "20")
    page.fill("#field-rule-field0", "country")
    page.select_option("#field-rule-operator0", "EQUALS")
    page.fill("#field-rule-value0", "finland")
    page.click("#save-field-rule")
    field_points_updated("Field rule created; updating contacts' field points in the background")
    expect(page.locator(".field-rule-row")).to_contain_text("country equals finland")
    assert linus_score() == before + 20
    page.locator(".edit-field").click()
    expect(page.locator("#field-rule-points")).to_have_value("20")
    page.fill("#field-rule-points", "35")
    page.click("#save-field-rule")
    field_points_updated("Field rule saved")
    assert linus_score() == before + 35
    page.goto(f"{stack.url}/contacts")
    linus = page.locator(".contact-row", has_text="linus@example.com")
    expect(linus.locator(".score")).to_have_text(str(before + 35))

    page.goto(f"{stack.url}/rules")
    page.fill("#custom-rule-name", "Pricing page")
    page.fill("#custom-rule-points", "-60")
    page.fill("#custom-rule-url", "/pricing")
    page.click("#save-custom-rule")
    expect(page.locator(".api-error")).to_contain_text("points must be between -50 and 100")
    page.fill("#custom-rule-name", "Pricing page")
    page.fill("#custom-rule-points", "15")
    page.fill("#custom-rule-url", "/pricing")
    page.click("#save-custom-rule")
    expect(page.locator(".custom-rule-row")).to_contain_text("URL contains /pricing")
    page.screenshot(path=screens / "rules.png", full_page=True)
    readme_shot(page, screens, "rules")

    page.locator(".delete-field").click()
    field_points_updated("Field rule deleted")
    expect(page.get_by_text("No field rule yet.")).to_be_visible()
    assert linus_score() == before
    page.locator(".delete-custom").click()
    expect(page.get_by_text("No custom rule yet.")).to_be_visible()
    page.close()


def test_editor_builds_a_view_with_report_and_live_changes(browser, stack, screens):
    def in_view(min_score: int) -> int:
        query = """query($min: Int) {
            contacts(filter: {minScore: $min, mailingList: "Newsletter"}) { totalCount } }"""
        return stack.graphql(query, {"min": min_score})["contacts"]["totalCount"]

    page = open_page(browser)
    sign_in(page, stack, Role.EDITOR)
    page.goto(f"{stack.url}/views")
    expect(page.get_by_text("No view yet.")).to_be_visible()
    page.click("#new-view")
    page.fill("#view-name", "Engaged readers")
    page.select_option("#view-kind", "BETWEEN")
    page.fill("#view-min", "100")
    page.fill("#view-lists", "Newsletter")
    page.click("#save-view")  # no max: the API refuses, the page says why
    expect(page.locator(".api-error")).to_contain_text("BETWEEN needs max")

    page.fill("#view-name", "Engaged readers")
    page.select_option("#view-kind", "AT_LEAST")
    page.fill("#view-min", "100")
    page.fill("#view-lists", "Newsletter")
    page.click("#save-view")
    expect(page.locator(".notice")).to_contain_text("View created")
    expect(page.locator(".view-row")).to_contain_text("score at least 100")
    expected = in_view(100)
    expect(page.locator("#view-total")).to_have_text(f"{expected} contacts")
    expect(page.locator(".view-contact-row")).to_have_count(expected)
    expect(page.locator("#view-by-list")).to_contain_text("Newsletter")
    page.screenshot(path=screens / "views.png", full_page=True)
    readme_shot(page, screens, "views")

    with page.expect_download() as download:
        page.click("#download-pdf")
    assert download.value.suggested_filename.endswith(".pdf")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    page.fill("#notify-recipients", "not-an-email")
    page.click("#save-notification")
    expect(page.locator(".api-error")).to_contain_text("'not-an-email' is not a valid email")
    page.select_option("#notify-frequency", "WEEKLY")
    page.fill("#notify-time", "08:30")
    page.fill("#notify-recipients", "team@example.com")
    page.click("#save-notification")
    expect(page.locator(".notice")).to_contain_text("Summary email saved")
    expect(page.locator("#notification-status")).to_contain_text("Summary email: On")
    page.fill("#email-now-recipients", "boss@example.com")
    page.click("#email-now")  # no SMTP server set up here: the API says so
    expect(page.locator(".api-error")).to_contain_text("No SMTP settings yet")

    # A score changes somewhere: the open view says its numbers may be out of date.
    stack.graphql(
        RECORD,
        {"input": {"contactEmail": "linus@example.com", "type": "REFER_FRIEND"}},
        role=Role.EDITOR,
    )
    expect(page.locator("#view-changes")).to_contain_text("1 score changes")

    page.get_by_role("button", name="Edit").click()
    expect(page.locator("#view-min")).to_have_value("100")
    page.fill("#view-min", "0")
    page.click("#save-view")
    expect(page.locator(".notice")).to_contain_text("View saved")
    expect(page.locator("#view-total")).to_have_text(f"{in_view(0)} contacts")
    page.locator(".delete-view").click()
    expect(page.get_by_text("No view yet.")).to_be_visible()
    page.close()

    viewer = open_page(browser)
    sign_in(viewer, stack, Role.VIEWER)
    viewer.goto(f"{stack.url}/views")
    expect(viewer.get_by_text("No view yet.")).to_be_visible()
    expect(viewer.locator("#new-view")).to_have_count(0)
    viewer.close()


def test_reset_needs_the_agreement_then_runs_with_progress(browser, stack, screens):
    page = open_page(browser)
    sign_in(page, stack)
    page.goto(f"{stack.url}/reset")
    page.fill("#reset-reason", "Start of the quarter")
    page.click("#reset-now")
    expect(page.locator(".api-error")).to_contain_text("agree to go on")
    page.fill("#reset-reason", "Start of the quarter")
    page.click("#reset-agree")
    page.click("#reset-now")
    expect(page.locator(".notice")).to_contain_text("Reset finished")
    expect(page.locator(".reset-row").first).to_contain_text("Start of the quarter")
    expect(page.locator(".reset-row").first).to_contain_text("e2e-admin")
    page.screenshot(path=screens / "reset.png", full_page=True)
    readme_shot(page, screens, "reset")
    left = stack.graphql("{ contacts(filter: {minScore: 1}) { totalCount } }")
    assert left["contacts"]["totalCount"] == 0
    page.close()


@pytest.mark.parametrize(
    "path", ["/", "/contacts", "/views", "/setup", "/rules", "/workflows", "/drafts", "/reset"]
)
def test_phone_sized_screens(browser, stack, screens, path):
    page = open_page(browser, 390, 844)
    sign_in(page, stack)
    page.goto(f"{stack.url}{path}")
    expect(page.locator("h1, h2").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"{path} scrolls sideways at phone width ({width}px)"
    name = path.strip("/") or "classification"
    page.screenshot(path=screens / f"phone-{name}.png", full_page=True)
    page.close()
