"""Contacts as clients see them."""

from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import Enum

import strawberry

from api.db.contact_search import MAX_MATCHES
from api.domain.classification import ContactClass
from api.domain.contacts import ContactRecord
from graphql_schema.activities.types import Timeline
from graphql_schema.core.context import Info
from graphql_schema.core.pagination import PageInfo, decode_cursor, page_size

ContactClassEnum = strawberry.enum(ContactClass, name="ContactClass")


@strawberry.type
class FieldValue:
    name: str
    value: str


@strawberry.type
class Contact:
    id: strawberry.ID
    email: str
    first_name: str | None
    last_name: str | None
    country: str | None
    mailing_lists: list[str]
    fields: list[FieldValue]
    score: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, record: ContactRecord) -> "Contact":
        return cls(
            id=strawberry.ID(record.id),
            email=record.email,
            first_name=record.first_name,
            last_name=record.last_name,
            country=record.country,
            mailing_lists=record.mailing_lists,
            fields=[FieldValue(name=k, value=v) for k, v in sorted(record.fields.items())],
            score=record.score,
            created_at=record.created_at,
            updated_at=record.updated_at,
        )

    @strawberry.field(description="The class under the classification in force")
    async def classification(self, info: Info) -> ContactClass:
        return await info.context.loaders.classes.load((str(self.id), self.score))

    @strawberry.field(description="Newest entries first: every point with its reason")
    def timeline(self, first: int | None = None, after: str | None = None) -> Timeline:
        before = decode_cursor("entry", after, int) if after else None
        return Timeline(key=(str(self.id), page_size(first), before))


@strawberry.type
class ContactEdge:
    cursor: str
    node: Contact


@strawberry.type
class ContactConnection:
    edges: list[ContactEdge]
    page_info: PageInfo
    # Counting the matches costs a query of its own: made only when totalCount is asked.
    counter: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field
    async def total_count(self) -> int:
        return await self.counter()


@strawberry.input
class ContactFilter:
    min_score: int | None = None
    max_score: int | None = None
    classification: ContactClass | None = None
    mailing_list: str | None = None
    country: str | None = None
    search: str | None = strawberry.field(
        default=None,
        description=(
            "The start of a word of the email address or name, to its end (ada, ada@ex, "
            f"example.com, lovelace); at most {MAX_MATCHES} contacts may match"
        ),
    )


@strawberry.enum
class ContactOrderField(Enum):
    SCORE = "score"
    EMAIL = "email"
    CREATED_AT = "createdAt"


@strawberry.enum
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.input
class ContactOrder:
    field: ContactOrderField = ContactOrderField.SCORE
    direction: OrderDirection = OrderDirection.DESC
