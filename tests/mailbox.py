"""A real SMTP server (aiosmtpd) on a free local port, keeping what it receives."""

from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from api.embedded import free_port


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    login: str | None

    def text(self) -> str:
        part = self.message.get_body(("plain",))
        assert part is not None
        return part.get_content()

    def html(self) -> str:
        part = self.message.get_body(("html",))
        assert part is not None
        return part.get_content()

    def attachments(self) -> list[EmailMessage]:
        return list(self.message.iter_attachments())


class Mailbox:
    """Started with `with Mailbox() as box:`; `box.port` takes mail, `box.received` holds it.
    With `logins`, the server asks for one of those (username, password) pairs."""

    def __init__(self, logins: dict[str, str] | None = None, port: int | None = None) -> None:
        self.port = port or free_port()
        self.received: list[Received] = []
        self.logins = logins
        options = {"auth_required": True, "auth_require_tls": False} if logins else {}
        self.controller = Controller(
            self, hostname="127.0.0.1", port=self.port, authenticator=self._authenticate, **options
        )

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if isinstance(auth_data, LoginPassword) and self.logins is not None:
            username, password = auth_data.login.decode(), auth_data.password.decode()
            if self.logins.get(username) == password:
                return AuthResult(success=True, auth_data=username)
        return AuthResult(success=False, handled=False)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        message = message_from_bytes(envelope.content, policy=default)
        assert isinstance(message, EmailMessage)
        login = session.auth_data if session.authenticated else None
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message, login))
        return "250 Message accepted for delivery"

    def __enter__(self) -> "Mailbox":
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
