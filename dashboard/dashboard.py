"""The dashboard app: pages, with sign-in and the live connection started on every load."""

import reflex as rx

from dashboard.pages.classification import classification_page
from dashboard.pages.contact import contact_page
from dashboard.pages.contacts import contacts_page
from dashboard.pages.login import login
from dashboard.pages.reset import reset_page
from dashboard.pages.rules import rules_page
from dashboard.pages.setup import setup_page
from dashboard.states.auth import AuthState
from dashboard.states.classification import ClassificationState
from dashboard.states.contact import ContactState
from dashboard.states.contacts import ContactsState
from dashboard.states.reset import ResetState
from dashboard.states.rules import RulesState
from dashboard.states.setup import SetupState


def protected(*loads: object) -> list[object]:
    return [AuthState.ensure, *loads]


app = rx.App()
app.add_page(login, route="/login", title="Sign in · Contact scoring")
app.add_page(
    classification_page,
    route="/",
    title="Classification · Contact scoring",
    on_load=protected(ClassificationState.load),
)
app.add_page(
    contacts_page,
    route="/contacts",
    title="Contacts · Contact scoring",
    on_load=protected(ContactsState.open),
)
app.add_page(
    contact_page,
    route="/contacts/[contact_id]",
    title="Contact · Contact scoring",
    on_load=protected(ContactState.open),
)
app.add_page(
    setup_page,
    route="/setup",
    title="Scoring setup · Contact scoring",
    on_load=protected(SetupState.load),
)
app.add_page(
    rules_page, route="/rules", title="Rules · Contact scoring", on_load=protected(RulesState.load)
)
app.add_page(
    reset_page, route="/reset", title="Reset · Contact scoring", on_load=protected(ResetState.load)
)
