"""The admin screens' rows: API tokens (never their secrets) and the SMTP settings (never the
password), each read from its GraphQL answer in one place."""

from dataclasses import dataclass

from dashboard.enums import TOKEN_STATUS_LABELS
from dashboard.models import Json, short_time


@dataclass
class TokenRow:
    id: str = ""
    name: str = ""
    role: str = ""
    status: str = ""
    status_label: str = ""
    created: str = ""
    created_by: str = ""
    last_used: str = ""
    expires: str = ""
    active: bool = False

    @classmethod
    def from_api(cls, token: Json) -> "TokenRow":
        status = token["status"]
        revoked = token["revokedAt"]
        return cls(
            id=token["id"],
            name=token["name"],
            role=token["role"].capitalize(),
            status=status,
            status_label=TOKEN_STATUS_LABELS[status]
            + (f" {short_time(revoked, '')} by {token['revokedBy'] or '?'}" if revoked else ""),
            created=short_time(token["createdAt"], "—"),
            created_by=token["createdBy"] or "setup",
            last_used=short_time(token["lastUsedAt"], "never"),
            expires=short_time(token["expiresAt"], "never"),
            active=status == "ACTIVE",
        )


@dataclass
class SmtpForm:
    host: str = ""
    port: str = "587"
    sender: str = ""
    username: str = ""
    start_tls: bool = True
    password_set: bool = False
    saved: bool = False

    @classmethod
    def from_api(cls, settings: Json | None) -> "SmtpForm":
        if settings is None:
            return cls()
        return cls(
            host=settings["host"],
            port=str(settings["port"]),
            sender=settings["sender"],
            username=settings["username"] or "",
            start_tls=settings["startTls"],
            password_set=settings["passwordSet"],
            saved=True,
        )
