"""Creating and updating contacts, and setting a score by hand."""

import strawberry

from api.domain.contacts import ContactDetails
from api.services.contacts import set_score, upsert_contact
from graphql_schema.activities.types import TimelineEntry
from graphql_schema.contacts.types import Contact
from graphql_schema.core.context import Info
from graphql_schema.core.errors import Error
from graphql_schema.core.permissions import IsEditor


@strawberry.input
class FieldValueInput:
    name: str
    value: str


@strawberry.input
class ContactUpsertInput:
    email: str = strawberry.field(description="Identifies the contact; created if new")
    first_name: str | None = None
    last_name: str | None = None
    country: str | None = None
    mailing_lists: list[str] | None = strawberry.field(
        default=None, description="Replaces the contact's lists when given"
    )
    fields: list[FieldValueInput] | None = strawberry.field(
        default=None, description="Custom fields to set; others are kept"
    )


@strawberry.type
class ContactUpsertPayload:
    contact: Contact | None = None
    created: bool = False
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.input
class ContactScoreSetInput:
    contact_id: strawberry.ID
    score: int
    reason: str


@strawberry.type
class ContactScoreSetPayload:
    contact: Contact | None = None
    entry: TimelineEntry | None = None
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.type
class ContactMutations:
    @strawberry.mutation(permission_classes=[IsEditor])
    async def contact_upsert(self, info: Info, input: ContactUpsertInput) -> ContactUpsertPayload:
        details = ContactDetails(
            first_name=input.first_name,
            last_name=input.last_name,
            country=input.country,
            mailing_lists=input.mailing_lists,
            fields={f.name: f.value for f in input.fields} if input.fields else None,
        )
        record, created = await upsert_contact(info.context.store, input.email, details)
        return ContactUpsertPayload(contact=Contact.of(record), created=created)

    @strawberry.mutation(
        permission_classes=[IsEditor], description="Set a contact's score by hand, with a reason"
    )
    async def contact_score_set(
        self, info: Info, input: ContactScoreSetInput
    ) -> ContactScoreSetPayload:
        record, entry = await set_score(
            info.context.store,
            str(input.contact_id),
            input.score,
            input.reason,
            info.context.actor,
        )
        return ContactScoreSetPayload(contact=Contact.of(record), entry=TimelineEntry.of(entry))
