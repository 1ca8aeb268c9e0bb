"""The admin screens in headless Chromium: API tokens (the secret shown once, revoked on the
screen and then refused by the API) and the SMTP settings (the password never shown back)."""

import re

import httpx
from playwright.sync_api import expect

from api.domain.access import Role
from tests.dashboard_stack import ROOT
from tests.test_dashboard import (  # noqa: F401
    browser,
    open_page,
    readme_shot,
    screens,
    sign_in,
    stack,
)

ME = "{ me { name role } }"
# Where Reflex writes the dashboard's states: never the secret.
STATES = ROOT / ".states"
SMTP = "{ smtpSettings { host port sender username passwordSet startTls } }"


def as_token(api_url: str, secret: str) -> dict:
    response = httpx.post(
        api_url,
        json={"query": ME},
        headers={"Authorization": f"Bearer {secret}"},
        timeout=30,
    )
    return response.json()


def test_admin_creates_a_token_sees_it_once_and_revokes_it(browser, stack, screens):  # noqa: F811
    page = open_page(browser)
    sign_in(page, stack)
    page.goto(f"{stack.url}/tokens")
    expect(page.locator(".token-row", has_text="e2e-admin")).to_be_visible()
    page.fill("#token-name", "ci-bot")
    page.select_option("#token-role", "EDITOR")
    page.fill("#token-expiry", "30")
    page.click("#create-token")
    shown = page.locator("#new-token-secret")
    expect(shown).to_have_text(re.compile(r"^cs_\S{20,}$"))
    expect(page.locator("#new-token")).to_contain_text("ci-bot' created")
    expect(page.locator("#new-token")).to_contain_text("it will not be shown again")
    secret = shown.inner_text().strip()
    assert not [p for p in STATES.glob("*") if secret.encode() in p.read_bytes()]
    assert secret.startswith("cs_")
    assert as_token(stack.api_url, secret)["data"]["me"] == {"name": "ci-bot", "role": "EDITOR"}
    row = page.locator(".token-row", has_text="ci-bot")
    expect(row.locator(".token-status")).to_have_text("Active")
    expect(row.locator(".token-expires")).not_to_have_text("never")  # in 30 days
    page.screenshot(path=screens / "tokens.png", full_page=True)

    page.reload()
    row = page.locator(".token-row", has_text="ci-bot")
    expect(row.locator(".token-last-used")).not_to_have_text("never")  # used just now
    expect(page.locator("#new-token")).to_be_hidden()
    assert secret not in page.content()
    assert not [p for p in STATES.glob("*") if secret.encode() in p.read_bytes()]

    page.locator(".token-row", has_text="ci-bot").locator(".revoke-token").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("Revoke token 'ci-bot'?")
    page.click("#confirm-revoke")
    expect(page.locator(".notice")).to_contain_text("Token 'ci-bot' revoked")
    row = page.locator(".token-row", has_text="ci-bot")
    expect(row.locator(".token-status")).to_contain_text("Revoked")
    expect(row.locator(".revoke-token")).to_have_count(0)
    readme_shot(page, screens, "tokens")  # no secret on it: the one shown is gone
    refused = as_token(stack.api_url, secret)
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    page.fill("#token-name", "ci-bot")  # names are unique: the API's words are shown
    page.click("#create-token")
    expect(page.locator(".api-error")).to_contain_text("exists already")
    expect(page.locator("#new-token")).to_be_hidden()
    page.close()


def test_admin_saves_smtp_settings_and_never_sees_the_password(browser, stack, screens):  # noqa: F811
    page = open_page(browser)
    sign_in(page, stack)
    page.goto(f"{stack.url}/smtp")
    expect(page.locator("#smtp-password-state")).to_have_text("No password stored.")
    page.fill("#smtp-host", "smtp.example.com")
    page.fill("#smtp-port", "2525")
    page.fill("#smtp-sender", "scores@example.com")
    page.fill("#smtp-username", "mailer")
    page.fill("#smtp-password", "s3cret-Pa55")
    page.click("#save-smtp")
    expect(page.locator(".notice")).to_contain_text("SMTP settings saved")
    expect(page.locator("#smtp-password")).to_have_value("")
    expect(page.locator("#smtp-password-state")).to_have_text("A password is stored (never shown).")
    expected = {
        "host": "smtp.example.com",
        "port": 2525,
        "sender": "scores@example.com",
        "username": "mailer",
        "passwordSet": True,
        "startTls": True,
    }
    assert stack.graphql(SMTP)["smtpSettings"] == expected

    page.reload()
    expect(page.locator("#smtp-host")).to_have_value("smtp.example.com")
    expect(page.locator("#smtp-port")).to_have_value("2525")
    expect(page.locator("#smtp-password")).to_have_value("")
    assert "s3cret-Pa55" not in page.content()
    page.screenshot(path=screens / "smtp.png", full_page=True)
    readme_shot(page, screens, "smtp")
    page.fill("#smtp-port", "587")  # the password left empty: kept
    page.click("#save-smtp")
    expect(page.locator(".notice")).to_contain_text("SMTP settings saved")
    assert stack.graphql(SMTP)["smtpSettings"] == expected | {"port": 587}

    page.fill("#smtp-sender", "not an address")
    page.click("#save-smtp")
    expect(page.locator(".api-error")).to_contain_text("is not a valid email address")
    assert stack.graphql(SMTP)["smtpSettings"] == expected | {"port": 587}
    page.close()


def test_viewers_and_editors_are_told_only_admins_may(browser, stack):  # noqa: F811
    for role in (Role.VIEWER, Role.EDITOR):
        page = open_page(browser)
        sign_in(page, stack, role)
        page.goto(f"{stack.url}/tokens")
        expect(page.get_by_text("Only admins can see and manage API tokens.")).to_be_visible()
        expect(page.locator("#create-token")).to_have_count(0)
        expect(page.locator(".api-error")).to_have_count(0)
        page.goto(f"{stack.url}/smtp")
        expect(
            page.get_by_text("Only admins can see and change the SMTP settings.")
        ).to_be_visible()
        expect(page.locator("#save-smtp")).to_have_count(0)
        page.close()
