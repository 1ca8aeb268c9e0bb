"""The API tokens screen (admins): the list, a new token's secret shown once, revoking.

A new token's secret is never kept in this state (Reflex may write states to disk, in .states/):
the event that creates it writes it straight into the page's SECRET_ELEMENT, which is emptied
when dismissed, and is gone when the page is left or loaded again.
"""

import json
from typing import Any

import reflex as rx

from dashboard.admin_models import TokenRow
from dashboard.documents import API_TOKEN_CREATE, API_TOKEN_REVOKE, API_TOKENS
from dashboard.graphql_client import ApiError
from dashboard.states.auth import call, mutate, signed_in_admin

SECRET_ELEMENT = "new-token-secret"


def show_secret(secret: str) -> Any:
    element = json.dumps(SECRET_ELEMENT)
    return rx.call_script(f"document.getElementById({element}).textContent = {json.dumps(secret)}")


class TokensState(rx.State):
    tokens: list[TokenRow] = []
    loading: bool = True
    error: str = ""
    done: str = ""
    # The name of the token whose secret is on the page: empty when none is.
    secret_name: str = ""
    # The token asked about in the revoke confirmation: empty when none is.
    confirm_id: str = ""
    confirm_name: str = ""

    @rx.event
    async def load(self) -> None:
        self.secret_name, self.confirm_id, self.done = "", "", ""
        if await signed_in_admin(self):
            await self._load()
        self.loading = False

    async def _load(self) -> None:
        try:
            rows = (await call(self, API_TOKENS))["apiTokens"]
        except ApiError as error:
            self.error = str(error)
            return
        self.tokens = [TokenRow.from_api(row) for row in reversed(rows)]

    @rx.event
    async def create(self, form: dict[str, Any]) -> Any:
        self.secret_name, self.done = "", ""
        days_text = str(form.get("expires_in_days", "")).strip()
        try:
            days = int(days_text) if days_text else None
        except ValueError:
            self.error = "Expires in days must be a whole number (or empty for never)"
            return None
        variables = {
            "input": {
                "name": str(form.get("name", "")),
                "role": str(form.get("role", "")),
                "expiresInDays": days,
            }
        }
        payload = await mutate(self, API_TOKEN_CREATE, variables, "apiTokenCreate")
        if payload is None:
            return None
        self.secret_name = payload["apiToken"]["name"]
        await self._load()
        return show_secret(payload["token"])

    @rx.event
    def dismiss_secret(self) -> Any:
        self.secret_name = ""
        return show_secret("")

    @rx.event
    def ask_revoke(self, token_id: str, name: str) -> None:
        self.confirm_id, self.confirm_name, self.done = token_id, name, ""

    @rx.event
    def cancel_revoke(self) -> None:
        self.confirm_id, self.confirm_name = "", ""

    @rx.event
    async def revoke(self) -> None:
        token_id, name = self.confirm_id, self.confirm_name
        self.confirm_id, self.confirm_name = "", ""
        if not token_id:
            return
        payload = await mutate(
            self, API_TOKEN_REVOKE, {"input": {"id": token_id}}, "apiTokenRevoke"
        )
        if payload is None:
            return
        self.done = f"Token '{name}' revoked: the API refuses it from now on"
        await self._load()
