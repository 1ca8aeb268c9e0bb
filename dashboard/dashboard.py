"""The dashboard app: pages, with sign-in and the live connection started on every load."""

import reflex as rx

from dashboard.origins import own_origin_only
from dashboard.pages.classification import classification_page
from dashboard.pages.contact import contact_page
from dashboard.pages.contacts import contacts_page
from dashboard.pages.drafts import drafts_page
from dashboard.pages.login import login
from dashboard.pages.reset import reset_page
from dashboard.pages.rules import rules_page
from dashboard.pages.setup import setup_page
from dashboard.pages.smtp import smtp_page
from dashboard.pages.tokens import tokens_page
from dashboard.pages.views import views_page
from dashboard.pages.workflows import workflows_page
from dashboard.states.auth import AuthState
from dashboard.states.classification import ClassificationState
from dashboard.states.contact import ContactPageState
from dashboard.states.contacts import ContactsState
from dashboard.states.drafts import DraftsState
from dashboard.states.reset import ResetState
from dashboard.states.rules import RulesState
from dashboard.states.setup import SetupState
from dashboard.states.smtp import SmtpState
from dashboard.states.tokens import TokensState
from dashboard.states.views import ViewsState
from dashboard.states.workflows import WorkflowsState

# Signed-in pages: (page, route, title, what to load); each first checks the sign-in.
PAGES = [
    (classification_page, "/", "Classification", ClassificationState.load),
    (contacts_page, "/contacts", "Contacts", ContactsState.open),
    (contact_page, "/contacts/[contact_id]", "Contact", ContactPageState.open),
    (setup_page, "/setup", "Scoring setup", SetupState.load),
    (views_page, "/views", "Views", ViewsState.load),
    (rules_page, "/rules", "Rules", RulesState.load),
    (workflows_page, "/workflows", "Workflows", WorkflowsState.load),
    (drafts_page, "/drafts", "Rule drafts", DraftsState.load),
    (reset_page, "/reset", "Reset", ResetState.load),
    (tokens_page, "/tokens", "API tokens", TokensState.load),
    (smtp_page, "/smtp", "SMTP settings", SmtpState.load),
]

app = rx.App(api_transformer=own_origin_only)
app.add_page(login, route="/login", title="Sign in · Contact scoring", on_load=AuthState.open_login)
for component, route, title, load in PAGES:
    app.add_page(
        component, route=route, title=f"{title} · Contact scoring", on_load=[AuthState.ensure, load]
    )
