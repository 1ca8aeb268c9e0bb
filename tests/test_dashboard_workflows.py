"""The workflows screen in headless Chromium, against the real API and database: created,
activated, acting on an activity, deactivated, edited and deleted, each checked through the API;
bad input answered next to its field; a viewer who can change nothing; phone width."""

from playwright.sync_api import Browser, Page, expect

from api.domain.access import Role
from tests.dashboard_stack import Stack
from tests.test_dashboard import (  # noqa: F401 (fixtures)
    RECORD,
    browser,
    open_page,
    readme_shot,
    screens,
    sign_in,
    stack,
)

WORKFLOWS = """{ workflows { id name mailingList trigger condition { field operator value }
  activityType campaignId points active activatedAt } }"""
CREATE = """mutation($input: WorkflowCreateInput!) { workflowCreate(input: $input) {
  workflow { id } errors { message } } }"""
TIMELINE = """query($email: String) { contact(email: $email) {
  score timeline(first: 5) { entries { kind points reason } } } }"""


def workflows(running: Stack) -> dict[str, dict]:
    return {w["name"]: w for w in running.graphql(WORKFLOWS)["workflows"]}


def open_workflows(
    chrome: Browser, running: Stack, role: Role = Role.ADMIN, width: int = 1280
) -> Page:
    page = open_page(chrome, width, 800 if width > 390 else 844)
    sign_in(page, running, role)
    page.goto(f"{running.url}/workflows")
    expect(page.locator("#workflows")).to_be_visible()
    return page


def row(page: Page, name: str):
    return page.locator(".workflow-row", has_text=name)


def test_admin_creates_activates_deactivates_edits_and_deletes_a_workflow(browser, stack, screens):  # noqa: F811
    page = open_workflows(browser, stack)
    page.fill("#wf-name", "Pricing clickers")
    page.fill("#wf-list", "Newsletter")
    page.select_option("#wf-trigger", "ACTIVITY")
    page.select_option("#wf-activity", "CLICK")
    page.fill("#wf-campaign", "spring")
    page.fill("#wf-points", "15")
    page.click("#save-workflow")
    expect(page.locator(".notice")).to_contain_text("Workflow 'Pricing clickers' created")
    found = row(page, "Pricing clickers")
    expect(found).to_contain_text("When a contact of Newsletter does an activity: click")
    expect(found).to_contain_text("in campaign spring")
    expect(found).to_contain_text("add 15 points")
    expect(found.locator(".workflow-state")).to_have_text("Inactive")
    saved = workflows(stack)["Pricing clickers"]
    assert (saved["trigger"], saved["activityType"], saved["campaignId"]) == (
        "ACTIVITY",
        "CLICK",
        "spring",
    )
    assert (saved["points"], saved["active"], saved["mailingList"]) == (15, False, "Newsletter")
    expect(page.locator("#wf-name")).to_have_value("")  # the form starts again

    found.locator(".activate-workflow").click()
    expect(found.locator(".workflow-state")).to_have_text("Active")
    expect(page.locator(".notice")).to_contain_text("active")
    assert workflows(stack)["Pricing clickers"]["active"] is True
    page.screenshot(path=screens / "workflows.png", full_page=True)
    readme_shot(page, screens, "workflows")

    # It acts: a click in that campaign by a contact of the list earns its 15 points too.
    click = {"contactEmail": "linus@example.com", "type": "CLICK", "campaignId": "spring"}
    stack.graphql(RECORD, {"input": click}, role=Role.EDITOR)
    entries = stack.graphql(TIMELINE, {"email": "linus@example.com"})["contact"]["timeline"]
    assert {"kind": "WORKFLOW", "points": 15, "reason": "Workflow 'Pricing clickers': add 15"} in [
        {k: e[k] for k in ("kind", "points", "reason")} for e in entries["entries"]
    ]

    found.locator(".deactivate-workflow").click()
    expect(found.locator(".workflow-state")).to_have_text("Inactive")
    expect(page.locator(".notice")).to_contain_text("deactivated: the points it gave stay")
    assert workflows(stack)["Pricing clickers"]["active"] is False

    found.locator(".edit-workflow").click()
    expect(page.locator("#wf-name")).to_have_value("Pricing clickers")
    expect(page.locator("#wf-campaign")).to_have_value("spring")
    page.select_option("#wf-trigger", "FIELD_CONDITION")
    page.fill("#wf-field", "country")
    page.select_option("#wf-operator", "EQUALS")
    page.fill("#wf-value", "Finland")
    page.fill("#wf-points", "-5")
    page.click("#save-workflow")
    expect(page.locator(".notice")).to_contain_text("Workflow 'Pricing clickers' saved")
    expect(found).to_contain_text("comes to have country equals Finland")
    expect(found).to_contain_text("subtract 5 points")
    saved = workflows(stack)["Pricing clickers"]
    assert saved["condition"] == {"field": "country", "operator": "EQUALS", "value": "Finland"}
    assert (saved["trigger"], saved["activityType"], saved["points"]) == (
        "FIELD_CONDITION",
        None,
        -5,
    )

    found.locator(".delete-workflow").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Delete workflow 'Pricing clickers'?")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    assert "Pricing clickers" in workflows(stack)
    found.locator(".delete-workflow").click()
    page.click("#confirm-delete-workflow")
    expect(page.locator(".notice")).to_contain_text("Workflow 'Pricing clickers' deleted")
    expect(found).to_have_count(0)
    assert "Pricing clickers" not in workflows(stack)
    page.close()


def test_bad_input_is_shown_next_to_its_field_and_changes_nothing(browser, stack):  # noqa: F811
    stack.graphql(
        CREATE,
        {
            "input": {
                "name": "Joiners",
                "mailingList": "Newsletter",
                "trigger": "LIST_JOIN",
                "points": 5,
            }
        },
    )
    before = workflows(stack)
    page = open_workflows(browser, stack)
    page.fill("#wf-name", "Joiners")  # taken
    page.fill("#wf-list", "Newsletter")
    page.select_option("#wf-trigger", "FIELD_CONDITION")
    page.fill("#wf-field", "colour")  # no such field
    page.fill("#wf-value", "blue")
    page.fill("#wf-points", "0")
    page.click("#save-workflow")
    expect(page.locator("#wf-points-error")).to_contain_text("points must not be 0")
    expect(page.locator("#wf-field-error")).to_contain_text("Unknown field 'colour'")
    page.fill("#wf-points", "")  # no number: said before anything is sent
    page.click("#save-workflow")
    expect(page.locator("#wf-points-error")).to_contain_text("whole number")
    expect(page.locator("#wf-field-error")).to_have_count(0)
    page.fill("#wf-field", "country")
    page.fill("#wf-points", "10")
    page.click("#save-workflow")
    expect(page.locator("#wf-name-error")).to_contain_text("A workflow named 'Joiners' exists")
    expect(page.locator("#wf-field")).to_have_value("country")  # what was typed stays
    expect(page.locator(".notice")).to_have_count(0)
    assert workflows(stack) == before
    page.close()


def test_a_viewer_sees_the_workflows_and_no_control(browser, stack):  # noqa: F811
    stack.graphql(
        CREATE,
        {
            "input": {
                "name": "Referrers",
                "mailingList": "Newsletter",
                "trigger": "ACTIVITY",
                "activityType": "REFER_FRIEND",
                "points": 20,
                "active": True,
            }
        },
    )
    for role in (Role.VIEWER, Role.EDITOR):
        page = open_workflows(browser, stack, role)
        found = row(page, "Referrers")
        expect(found).to_contain_text("refer friend")
        expect(found.locator(".workflow-state")).to_have_text("Active")
        expect(page.locator("#workflows-read-only")).to_contain_text("Only admins")
        for control in ("#save-workflow", "#wf-name", ".edit-workflow", ".delete-workflow"):
            expect(page.locator(control)).to_have_count(0)
        expect(page.locator(".deactivate-workflow")).to_have_count(0)
        page.close()


def test_workflows_at_phone_width(browser, stack, screens):  # noqa: F811
    page = open_workflows(browser, stack, width=390)
    page.select_option("#wf-trigger", "FIELD_CONDITION")
    expect(page.locator("#wf-field")).to_be_visible()
    page.wait_for_load_state("networkidle")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 391, f"/workflows scrolls sideways at phone width ({width}px)"
    page.screenshot(path=screens / "phone-workflows.png", full_page=True)
    page.close()


TOKEN_CREATE = """mutation($input: ApiTokenCreateInput!) { apiTokenCreate(input: $input) {
  token apiToken { id } errors { message } } }"""
TOKEN_REVOKE = """mutation($input: ApiTokenRevokeInput!) { apiTokenRevoke(input: $input) {
  apiToken { status } errors { message } } }"""


def test_a_refusal_by_the_api_is_shown_and_changes_nothing(browser, stack):  # noqa: F811
    """Controls are offered by the role signed in with; if the API refuses anyway (here: the
    admin's token revoked while the page is open), its words are shown."""
    created = stack.graphql(TOKEN_CREATE, {"input": {"name": "short-lived", "role": "ADMIN"}})
    token = created["apiTokenCreate"]
    stack.graphql(
        CREATE,
        {
            "input": {
                "name": "Late joiners",
                "mailingList": "Newsletter",
                "trigger": "LIST_JOIN",
                "points": 5,
            }
        },
    )
    page = open_page(browser)
    page.goto(f"{stack.url}/login")
    page.fill("#token", token["token"])
    page.click("#sign-in")
    expect(page.locator("#role-badge")).to_have_text("ADMIN")
    page.goto(f"{stack.url}/workflows")
    found = row(page, "Late joiners")
    expect(found.locator(".activate-workflow")).to_be_visible()
    stack.graphql(TOKEN_REVOKE, {"input": {"id": token["apiToken"]["id"]}})
    found.locator(".activate-workflow").click()
    expect(page.locator(".api-error")).to_contain_text("not recognised (unknown, revoked")
    assert workflows(stack)["Late joiners"]["active"] is False
    page.close()
