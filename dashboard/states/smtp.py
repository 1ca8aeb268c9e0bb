"""The SMTP settings screen (admins). The password is sent when typed and never read back: it
is not kept in this state, and its field is emptied after each save."""

from typing import Any

import reflex as rx

from dashboard.admin_models import SmtpForm
from dashboard.documents import SMTP_SETTINGS, SMTP_SETTINGS_UPDATE
from dashboard.graphql_client import ApiError
from dashboard.states.auth import call, mutate, signed_in_admin

PASSWORD_FIELD = "smtp-password"


class SmtpState(rx.State):
    settings: SmtpForm = SmtpForm()
    loading: bool = True
    error: str = ""
    saved: str = ""

    @rx.event
    async def load(self) -> None:
        self.saved = ""
        if await signed_in_admin(self):
            try:
                self.settings = SmtpForm.from_api((await call(self, SMTP_SETTINGS))["smtpSettings"])
            except ApiError as error:
                self.error = str(error)
        self.loading = False

    @rx.event
    async def save(self, form: dict[str, Any]) -> Any:
        self.saved = ""
        try:
            port = int(str(form.get("port", "")).strip())
        except ValueError:
            self.error = "Port must be a whole number between 1 and 65535"
            return None
        changes: dict[str, Any] = {
            "host": str(form.get("host", "")),
            "port": port,
            "sender": str(form.get("sender", "")),
            "username": str(form.get("username", "")),
            "startTls": form.get("start_tls") == "on",
        }
        password = str(form.get("password", ""))
        if form.get("remove_password") == "on":
            changes["password"] = ""
        elif password:
            changes["password"] = password
        result = await mutate(self, SMTP_SETTINGS_UPDATE, {"input": changes}, "smtpSettingsUpdate")
        if result is None:
            return None
        self.settings = SmtpForm.from_api(result["smtpSettings"])
        self.saved = "SMTP settings saved"
        return rx.set_value(PASSWORD_FIELD, "")
