"""The rule drafts screen in headless Chromium, against the real API and database: a change to
the score sheet and a custom rule simulated, applied and rescored with the progress followed live
and the new scores shown, each checked through the API; bad input answered next to its field and
changing nothing; a viewer who can change nothing; phone width."""

from playwright.sync_api import Browser, Page, expect

from api.domain.access import Role
from tests.dashboard_stack import Stack
from tests.test_dashboard import (  # noqa: F401 (fixtures)
    browser,
    open_page,
    readme_shot,
    screens,
    sign_in,
    stack,
)

STATE = """{ scoreSheet { entries { activity points } } customRules { name points }
  rescoreJobs { status reason affected pointsDelta }
  contacts(first: 10) { edges { node { email score } } } }"""


def state(running: Stack) -> dict:
    data = running.graphql(STATE)
    return {
        "sheet": {e["activity"]: e["points"] for e in data["scoreSheet"]["entries"]},
        "rules": data["customRules"],
        "jobs": data["rescoreJobs"],
        "scores": {e["node"]["email"]: e["node"]["score"] for e in data["contacts"]["edges"]},
    }


def open_drafts(
    chrome: Browser, running: Stack, role: Role = Role.ADMIN, width: int = 1280
) -> Page:
    page = open_page(chrome, width, 800 if width > 390 else 844)
    sign_in(page, running, role)
    page.goto(f"{running.url}/drafts")
    expect(page.locator("#drafts")).to_be_visible()
    return page


def apply_and_watch(page: Page, reason: str) -> None:
    """Apply the simulated draft and follow its rescore until the bar is full."""
    page.fill("#rescore-reason", reason)
    page.click("#apply-draft")
    expect(page.locator("#rescore-status")).to_contain_text("Rescored: 4 of 4 contacts")
    expect(page.locator("#rescore-progress")).to_have_attribute("data-state", "complete")
    expect(page.locator(".notice")).to_contain_text("Rescore finished")


def test_a_sheet_change_is_simulated_applied_and_rescored(browser, stack, screens):  # noqa: F811
    before = state(stack)
    assert before["scores"]["ada@example.com"] == 150
    page = open_drafts(browser, stack)
    page.fill("#draft-points-UNIQUE_OPEN", "30")
    page.click("#simulate-sheet")
    expect(page.locator("#proposal-text")).to_have_text("Score sheet: unique open 10 → 30")
    # ada opened 3 campaigns, alan 2, grace 1, linus none: 20 more points per unique open.
    expect(page.locator("#sim-changed")).to_have_text("3")
    expect(page.locator("#sim-delta")).to_have_text("+120")
    first = page.locator(".example-row").first
    expect(first).to_contain_text("ada@example.com")
    expect(first).to_contain_text("150")
    expect(first).to_contain_text("210")
    expect(first.locator(".score-after")).to_have_text("—")
    assert state(stack) == before  # a simulation changes nothing

    apply_and_watch(page, "Opens matter more")
    expect(page.locator(".notice")).to_contain_text("3 contacts changed, +120 points")
    expect(first.locator(".score-after")).to_have_text("210")  # the new scores
    after = state(stack)
    assert after["sheet"]["UNIQUE_OPEN"] == 30
    assert after["scores"] == {
        "ada@example.com": 210,
        "alan@example.com": 140,
        "grace@example.com": 70,
        "linus@example.com": 0,
    }
    assert after["jobs"][0] == {
        "status": "DONE",
        "reason": "Opens matter more",
        "affected": 3,
        "pointsDelta": 120,
    }
    job = page.locator(".rescore-row").first
    expect(job).to_contain_text("Opens matter more")
    expect(job.locator(".rescore-status")).to_have_text("Done")
    expect(page.locator("#apply-draft")).to_have_count(0)  # applied once
    page.screenshot(path=screens / "drafts.png", full_page=True)
    page.locator("#simulation").scroll_into_view_if_needed()
    readme_shot(page, screens, "drafts")
    page.close()


def test_a_custom_rule_draft_with_bad_input_then_applied_and_removed(browser, stack):  # noqa: F811
    before = state(stack)
    page = open_drafts(browser, stack)
    page.click("#tab-rule")
    page.fill("#draft-rule-name", "Spring clicks")
    page.fill("#draft-rule-points", "500")
    page.select_option("#draft-rule-type", "CLICK")
    page.fill("#draft-rule-campaign", "c0")
    page.click("#simulate-rule")
    expect(page.locator("#draft-rule-points-error")).to_contain_text("between -50 and 100")
    expect(page.locator("#simulation")).to_have_count(0)
    expect(page.locator("#draft-rule-name")).to_have_value("Spring clicks")  # kept to correct

    page.fill("#draft-rule-points", "25")
    page.click("#simulate-rule")
    expect(page.locator("#draft-rule-points-error")).to_have_count(0)
    expect(page.locator("#proposal-text")).to_have_text("A new custom rule: Spring clicks")
    expect(page.locator("#sim-changed")).to_have_text("3")  # ada, alan and grace clicked in c0
    expect(page.locator("#sim-delta")).to_have_text("+75")
    page.click("#apply-draft")  # no reason: said next to it, nothing saved
    expect(page.locator("#rescore-reason-error")).to_contain_text("Say why")
    assert state(stack) == before

    apply_and_watch(page, "Spring campaign")
    expect(page.locator(".notice")).to_contain_text("3 contacts changed, +75 points")
    after = state(stack)
    assert after["rules"] == [{"name": "Spring clicks", "points": 25}]
    assert after["scores"]["ada@example.com"] == before["scores"]["ada@example.com"] + 25
    assert after["jobs"][0]["reason"] == "Spring campaign"

    page.click("#tab-remove")
    page.select_option("#draft-remove", label="Spring clicks")
    page.click("#simulate-removal")
    expect(page.locator("#proposal-text")).to_have_text("Custom rule 'Spring clicks' removed")
    expect(page.locator("#sim-delta")).to_have_text("-75")
    assert state(stack) == after
    page.close()


def test_a_viewer_sees_the_rescores_and_no_control(browser, stack):  # noqa: F811
    for role in (Role.VIEWER, Role.EDITOR):
        page = open_drafts(browser, stack, role)
        expect(page.locator("#drafts-read-only")).to_contain_text("Only admins")
        expect(page.locator(".rescore-row").first).to_be_visible()
        for control in ("#tab-sheet", "#simulate-sheet", "#apply-draft", "#draft-rule-pick"):
            expect(page.locator(control)).to_have_count(0)
        page.close()


def test_drafts_at_phone_width(browser, stack, screens):  # noqa: F811
    page = open_drafts(browser, stack, width=390)
    page.click("#simulate-sheet")  # the sheet as it is: what a rescore would do now
    expect(page.locator("#proposal-text")).to_have_text("Score sheet: as it is")
    expect(page.locator("#sim-changed")).to_have_text("0")
    page.wait_for_load_state("networkidle")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 391, f"/drafts scrolls sideways at phone width ({width}px)"
    page.screenshot(path=screens / "phone-drafts.png", full_page=True)
    page.close()
