"""Signing in with an API token; the role decides what the screens offer.

The API token never reaches the browser: the browser keeps only a random session key
(`scoring_session` in localStorage) and the backend looks the token up in `dashboard.sessions`.
"""

from collections.abc import Collection
from typing import Any

import reflex as rx

from dashboard import sessions
from dashboard.config import DEV_SIGNIN, dev_token, is_loopback, origins
from dashboard.documents import ME
from dashboard.graphql_client import ApiError, execute, payload_errors


class AuthState(rx.State):
    session: str = rx.LocalStorage("", name="scoring_session", sync=True)
    name: str = ""
    role: str = ""
    error: str = ""
    # Whether the sign-in page offers the dev token (development, this machine, own page).
    dev_signin: bool = False

    @rx.var
    def signed_in(self) -> bool:
        return bool(self.role)

    @rx.var
    def is_admin(self) -> bool:
        return self.role == "ADMIN"

    @rx.var
    def can_edit(self) -> bool:
        return self.role in ("ADMIN", "EDITOR")

    def _token(self) -> str:
        """The signed-in API token, looked up on every use so a sign-out in any tab ends it."""
        return sessions.token(self.session)

    def _dev_signin_allowed(self) -> bool:
        # The origin is also checked for every connection (dashboard.origins); checked again here
        # because a page on another site runs on this same machine.
        return (
            DEV_SIGNIN
            and is_loopback(self.router.session.client_ip)
            and self.router.headers.origin in origins()
        )

    async def _start(self, token: str) -> Any:
        try:
            me = (await execute(ME, None, token))["me"]
        except ApiError as error:
            self.error = str(error)
            return None
        sessions.end(self.session)
        self.session = sessions.start(token)
        self.name, self.role, self.error = me["name"], me["role"], ""
        return rx.redirect("/")

    @rx.event
    async def sign_in(self, form: dict[str, Any]) -> Any:
        token = str(form.get("token", "")).strip()
        if not token:
            self.error = "Paste an API token to sign in"
            return None
        return await self._start(token)

    @rx.event
    async def sign_in_dev(self) -> Any:
        token = dev_token() if self._dev_signin_allowed() else ""
        if not token:
            self.error = "Signing in with the dev token works only in development, on this machine"
            return None
        return await self._start(token)

    @rx.event
    def open_login(self) -> Any:
        self.dev_signin = self._dev_signin_allowed()
        # Earlier versions kept the API token itself in localStorage. (rx.remove_local_storage
        # would load the page again, and so run this again, without end.)
        return rx.call_script("localStorage.removeItem('scoring_token')")

    @rx.event
    async def ensure(self) -> Any:
        """On every protected page: signed in, or off to the sign-in page."""
        token = self._token()
        if not token:
            self._end()
            return rx.redirect("/login")
        if self.role:
            return None
        try:
            me = (await execute(ME, None, token))["me"]
        except ApiError as error:
            self._end()
            self.error = str(error)
            return rx.redirect("/login")
        self.name, self.role = me["name"], me["role"]
        return None

    @rx.event
    def sign_out(self) -> Any:
        self._end()
        return rx.redirect("/login")

    def _end(self) -> None:
        sessions.end(self.session)
        self.session, self.name, self.role, self.error = "", "", "", ""


async def call(
    state: rx.State, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Run GraphQL with the signed-in user's token."""
    auth = await state.get_state(AuthState)
    return await execute(query, variables, auth._token())


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


async def mutate_fields(
    state: rx.State, query: str, variables: dict[str, Any], field: str, fields: Collection[str]
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """Like `mutate`, but the payload's errors that name one of `fields` are answered by field
    (to be shown next to its control); the others go to `state.error`."""
    try:
        payload: dict[str, Any] = (await call(state, query, variables))[field]
    except ApiError as error:
        state.error = str(error)
        return None, {}
    by_field: dict[str, str] = {}
    others = []
    for problem in payload.get("errors") or []:
        name = problem.get("field") or ""
        if name in fields:
            by_field[name] = "; ".join(filter(None, (by_field.get(name), problem["message"])))
        else:
            others.append(problem["message"])
    state.error = "; ".join(others)
    return (None if payload.get("errors") else payload), by_field


async def signed_in_admin(state: rx.State) -> bool:
    """Whether the signed-in user is an admin (admin screens load nothing for the others)."""
    return (await state.get_state(AuthState)).role == "ADMIN"
