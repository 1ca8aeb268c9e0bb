"""Signing in with an API token; the role decides what the screens offer."""

from typing import Any

import reflex as rx

from dashboard.graphql_client import ApiError, execute, payload_errors
from dashboard.settings import dev_token

ME = "{ me { name role } }"


class AuthState(rx.State):
    token: str = rx.LocalStorage("", name="scoring_token", sync=True)
    name: str = ""
    role: str = ""
    error: str = ""

    @rx.var
    def signed_in(self) -> bool:
        return bool(self.role)

    @rx.var
    def is_admin(self) -> bool:
        return self.role == "ADMIN"

    @rx.var
    def can_edit(self) -> bool:
        return self.role in ("ADMIN", "EDITOR")

    @rx.event
    async def sign_in(self, form: dict[str, Any]) -> Any:
        token = str(form.get("token", "")).strip()
        if not token:
            self.error = "Paste an API token to sign in"
            return None
        try:
            me = (await execute(ME, None, token))["me"]
        except ApiError as error:
            self.error = str(error)
            return None
        self.token, self.name, self.role, self.error = token, me["name"], me["role"], ""
        return rx.redirect("/")

    @rx.event
    async def ensure(self) -> Any:
        """On every protected page: signed in, or off to the sign-in page."""
        if not self.token:
            self.token = dev_token()
        if not self.token:
            return rx.redirect("/login")
        if self.role:
            return None
        try:
            me = (await execute(ME, None, self.token))["me"]
        except ApiError as error:
            self.error, self.token = str(error), ""
            return rx.redirect("/login")
        self.name, self.role = me["name"], me["role"]
        return None

    @rx.event
    def sign_out(self) -> Any:
        self.token, self.name, self.role = "", "", ""
        return rx.redirect("/login")


async def call(
    state: rx.State, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Run GraphQL with the signed-in user's token."""
    auth = await state.get_state(AuthState)
    return await execute(query, variables, auth.token)


async def mutate(
    state: rx.State, query: str, variables: dict[str, Any], field: str
) -> dict[str, Any] | None:
    """Run a mutation and return its payload; on failure put the API's words in `state.error`
    (every page state has one) and return None."""
    try:
        payload: dict[str, Any] = (await call(state, query, variables))[field]
    except ApiError as error:
        state.error = str(error)
        return None
    if problems := payload_errors(payload):
        state.error = "; ".join(problems)
        return None
    state.error = ""
    return payload
