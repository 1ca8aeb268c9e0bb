"""Every form control on every screen has an accessible name, so a screen reader says what it is
for (a placeholder is no name: it goes away once something is typed)."""

from playwright.sync_api import Page, expect

from tests.test_dashboard import browser, open_page, sign_in, stack  # noqa: F401 (fixtures)

CONTROLS = "input, select, textarea, button, [role=switch], [role=checkbox], [role=combobox]"
# The controls among `elements` without a name from aria-label, aria-labelledby, a <label>, or
# (a plain button) its text; hidden ones (a Radix control's native twin) are not announced.
UNNAMED = """elements => elements.filter(e => {
  if (e.closest('[aria-hidden="true"], [hidden]') || e.type === 'hidden') return false;
  const ids = (e.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
  const byIds = ids.map(id => document.getElementById(id)?.textContent || '').join(' ');
  const labels = [...(e.labels || [])].map(label => label.textContent).join(' ');
  const role = e.getAttribute('role');
  const content = e.tagName === 'BUTTON' && (!role || role === 'button') ? e.textContent : '';
  const name = [e.getAttribute('aria-label'), byIds, labels, content, e.title].join(' ');
  return !name.trim();
}).map(e => e.outerHTML.slice(0, 200))"""
VIEW_CREATE = """mutation LabelsViewCreate($input: ScoreViewInput!) {
  scoreViewCreate(input: $input) { scoreView { id } errors { message } } }"""


def unnamed(page: Page) -> list[str]:
    return page.locator(CONTROLS).evaluate_all(UNNAMED)


def test_every_form_control_has_an_accessible_name(browser, stack):  # noqa: F811
    found: dict[str, list[str]] = {}
    page = open_page(browser)
    page.goto(f"{stack.url}/login")
    expect(page.locator("#sign-in")).to_be_visible()
    found["/login"] = unnamed(page)

    sign_in(page, stack)
    contact = stack.graphql('{ contact(email: "ada@example.com") { id } }')["contact"]["id"]
    stack.graphql(
        VIEW_CREATE,
        {"input": {"name": "Labelled", "scoreCondition": {"kind": "AT_LEAST", "min": 0}}},
    )
    shown = {
        "/": "#save-thresholds",
        "/contacts": ".contact-row",
        f"/contacts/{contact}": "#manual-score",
        "/setup": "#save-sheet",
        "/rules": "#save-custom-rule",
        "/workflows": "#save-workflow",
        "/reset": "#reset-now",
        "/tokens": "#create-token",
        "/smtp": "#save-smtp",
    }
    for path, ready in shown.items():
        page.goto(f"{stack.url}{path}")
        expect(page.locator(ready).first).to_be_visible()
        found[path] = unnamed(page)

    # Every part of the forms that show only on demand: a workflow's condition, the drafts' tabs
    # and a simulation's apply form.
    page.goto(f"{stack.url}/workflows")
    page.select_option("#wf-trigger", "FIELD_CONDITION")
    expect(page.locator("#wf-field")).to_be_visible()
    found["/workflows (condition)"] = unnamed(page)
    page.select_option("#wf-trigger", "ACTIVITY")
    expect(page.locator("#wf-activity")).to_be_visible()
    found["/workflows (activity)"] = unnamed(page)
    page.goto(f"{stack.url}/drafts")
    page.click("#simulate-sheet")
    expect(page.locator("#apply-draft")).to_be_visible()
    found["/drafts"] = unnamed(page)
    for tab, ready in (("#tab-rule", "#simulate-rule"), ("#tab-remove", "#tab-remove")):
        page.click(tab)
        expect(page.locator(ready)).to_be_visible()
        found[f"/drafts {tab}"] = unnamed(page)

    page.goto(f"{stack.url}/views")
    page.click("#new-view")
    page.locator(".open-view").first.click()
    expect(page.locator("#save-view")).to_be_visible()
    expect(page.locator("#save-notification")).to_be_visible()
    found["/views"] = unnamed(page)
    page.close()
    assert {path: controls for path, controls in found.items() if controls} == {}
