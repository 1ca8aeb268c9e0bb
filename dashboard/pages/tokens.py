"""API tokens (admins): who can reach the API, creating one (its secret shown once), revoking."""

import reflex as rx

from dashboard.admin_models import TokenRow
from dashboard.components.forms import labelled, select_of
from dashboard.components.layout import error_callout, loading_or, notice, page
from dashboard.components.tables import table
from dashboard.components.widgets import confirm_dialog, empty
from dashboard.enums import ROLES
from dashboard.states.auth import AuthState
from dashboard.states.tokens import SECRET_ELEMENT
from dashboard.states.tokens import TokensState as S

STATUS_COLORS = {"ACTIVE": "grass", "EXPIRED": "amber", "REVOKED": "red"}


def create_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.text("New token", weight="bold", size="4"),
                rx.flex(
                    labelled(
                        "Name (who or what uses it)",
                        rx.input(name="name", id="token-name", max_length=100, width="260px"),
                        "token-name",
                    ),
                    labelled(
                        "Role",
                        select_of("role", ROLES, "VIEWER", "token-role", "Role"),
                        "token-role",
                    ),
                    labelled(
                        "Expires in days (1 to 3650; empty: never)",
                        rx.input(
                            name="expires_in_days",
                            id="token-expiry",
                            type="number",
                            min="1",
                            max="3650",
                            width="140px",
                        ),
                        "token-expiry",
                    ),
                    gap="4",
                    wrap="wrap",
                    align="end",
                ),
                rx.button("Create token", type="submit", id="create-token"),
                spacing="3",
                width="100%",
            ),
            on_submit=S.create,
            reset_on_submit=True,
        ),
        width="100%",
    )


def new_secret() -> rx.Component:
    """Always on the page (hidden when empty): the state writes the secret into its code element,
    which React leaves alone since it renders no text there."""
    copy = f"navigator.clipboard.writeText(document.getElementById('{SECRET_ELEMENT}').textContent)"
    return rx.callout(
        rx.vstack(
            rx.text(
                "Token '",
                S.secret_name,
                "' created. Copy it now: it will not be shown again.",
                weight="bold",
            ),
            rx.code(id=SECRET_ELEMENT, size="3"),
            rx.hstack(
                rx.button(
                    rx.icon("copy", size=14),
                    "Copy",
                    size="1",
                    variant="soft",
                    on_click=rx.call_script(copy),
                ),
                rx.button(
                    "I have copied it", size="1", on_click=S.dismiss_secret, id="dismiss-secret"
                ),
            ),
            spacing="2",
        ),
        icon="key_round",
        color_scheme="amber",
        role="alert",
        width="100%",
        display=rx.cond(S.secret_name != "", "flex", "none"),
        id="new-token",
    )


def status_badge(token: rx.Var[TokenRow]) -> rx.Component:
    return rx.match(
        token.status,
        *[
            (key, rx.badge(token.status_label, color_scheme=color))
            for key, color in STATUS_COLORS.items()
        ],
        rx.badge(token.status_label),
    )


def token_row(token: rx.Var[TokenRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(token.name, class_name="token-name"),
        rx.table.cell(token.role),
        rx.table.cell(status_badge(token), class_name="token-status"),
        rx.table.cell(token.created, " by ", token.created_by),
        rx.table.cell(token.last_used, class_name="token-last-used"),
        rx.table.cell(token.expires, class_name="token-expires"),
        rx.table.cell(
            rx.cond(
                token.active,
                rx.button(
                    "Revoke",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=S.ask_revoke(token.id, token.name),
                    class_name="revoke-token",
                    aria_label="Revoke " + token.name,
                ),
            )
        ),
        class_name="token-row",
    )


def confirm_revoke() -> rx.Component:
    return confirm_dialog(
        rx.fragment("Revoke token '", S.confirm_name, "'?"),
        "Every request with it is refused from now on, and its open live connections are closed "
        "within seconds. This cannot be undone: whoever uses it needs a new token. If you are "
        "signed in with it, you will be signed out.",
        S.confirm_id != "",
        S.cancel_revoke,
        "Revoke",
        S.revoke,
        "confirm-revoke",
    )


def tokens_list() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text("Tokens", weight="bold", size="4"),
            rx.cond(
                S.tokens.length() > 0,
                table(
                    ["Name", "Role", "Status", "Created", "Last used", "Expires", ""],
                    S.tokens,
                    token_row,
                ),
                empty("No token yet."),
            ),
            width="100%",
        ),
        width="100%",
    )


def tokens_page() -> rx.Component:
    return page(
        "API tokens",
        rx.cond(
            AuthState.is_admin,
            rx.vstack(
                error_callout(S.error),
                notice(S.done),
                new_secret(),
                create_form(),
                loading_or(S.loading, tokens_list()),
                confirm_revoke(),
                spacing="4",
                width="100%",
            ),
            rx.callout("Only admins can see and manage API tokens.", icon="lock", width="100%"),
        ),
    )
