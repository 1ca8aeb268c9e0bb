"""Contacts: who they are (their profile, as rules and views see it) and their scoring state."""

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

# Contacts with the same score are ordered by their tie bucket, then by id: a page inside a large
# group of equal scores reads a range of buckets, not the whole group.
TIES = 1024


def tie_of(contact_id: str) -> int:
    """A contact's tie bucket: a pure function of its id, so it never changes."""
    return zlib.crc32(contact_id.encode()) % TIES


@dataclass(frozen=True)
class Profile:
    email: str
    first_name: str | None
    last_name: str | None
    country: str | None
    mailing_lists: Sequence[str]
    fields: dict[str, str]

    def values(self, field: str) -> list[str]:
        """A field's values: mailing lists are several, custom fields are `fields.<name>`."""
        if field == "mailingList":
            return list(self.mailing_lists)
        if field.startswith("fields."):
            value = self.fields.get(field.removeprefix("fields."))
        else:
            value = {
                "email": self.email,
                "firstName": self.first_name,
                "lastName": self.last_name,
                "country": self.country,
            }.get(field)
        return [value] if value else []


@dataclass(frozen=True)
class ContactRecord:
    id: str
    email: str
    first_name: str | None
    last_name: str | None
    country: str | None
    mailing_lists: list[str]
    fields: dict[str, str]
    score: int
    created_at: datetime
    updated_at: datetime

    def profile(self) -> Profile:
        """Who the contact is, as rules and views see it."""
        return Profile(
            self.email,
            self.first_name,
            self.last_name,
            self.country,
            self.mailing_lists,
            self.fields,
        )


@dataclass(frozen=True)
class ContactDetails:
    """What a client may set on a contact; None leaves a value as it is."""

    first_name: str | None = None
    last_name: str | None = None
    country: str | None = None
    mailing_lists: list[str] | None = None
    fields: dict[str, str] | None = None


# In ContactState.rule_expiry: the rule's points expired while the contact kept matching it.
EXPIRED = 0


@dataclass
class ContactState:
    contact_id: str
    score: int
    seq: int
    occurrences: dict[str, int] = field(default_factory=dict)
    # Points each field rule gave this contact, while it matches.
    rule_points: dict[str, int] = field(default_factory=dict)
    # The sequence number the contact document holds: later entries are only in the ledger.
    stored_seq: int = 0
    # The sequence number of the last RESET entry: points earned up to it can no longer expire.
    reset_seq: int = 0
    # Field rules whose points expire: rule id -> the sequence number of the entry that gave
    # them (its expiry takes back what the rule holds), or EXPIRED once that happened.
    rule_expiry: dict[str, int] = field(default_factory=dict)
    # The reset generation its score belongs to (None: before any reset with generations).
    gen: str | None = None
    # The generation the contact document holds (older than `gen` when a RESET entry is in the
    # ledger-only tail).
    stored_gen: str | None = None

    def mark_stored(self) -> None:
        """The contact document is about to hold this state."""
        self.stored_seq, self.stored_gen = self.seq, self.gen
