"""Finding contacts: one by id or email, or a filtered, ordered page."""

from datetime import datetime
from typing import Any

import strawberry

from api.db.contact_docs import ContactQuery
from api.db.contact_search import MAX_TERM
from api.services.contacts import class_query, search_query
from api.services.errors import ErrorCode, ServiceFailure
from api.services.score_counts import count, score_page
from api.services.validation import MAX_TEXT, normalize_email
from graphql_schema.contacts.types import (
    Contact,
    ContactConnection,
    ContactEdge,
    ContactFilter,
    ContactOrder,
    ContactOrderField,
    OrderDirection,
)
from graphql_schema.core.context import Info
from graphql_schema.core.errors import InputRefused, refusal
from graphql_schema.core.pagination import (
    MAX_PAGE_SIZE,
    BadCursor,
    PageInfo,
    decode_cursor,
    encode_cursor,
    page_size,
)
from graphql_schema.core.permissions import IsViewer

# Longer searches find nothing a shorter one would miss: the search index cuts terms there.
MAX_SEARCH = MAX_TERM


def _check_filter(given: ContactFilter) -> None:
    limits = {
        "search": (given.search, MAX_SEARCH),
        "mailingList": (given.mailing_list, MAX_TEXT),
        "country": (given.country, MAX_TEXT),
    }
    for name, (value, limit) in limits.items():
        if value is not None and len(value) > limit:
            message = f"filter.{name} must be at most {limit} characters, got {len(value)}"
            raise InputRefused(f"filter.{name}", message, ErrorCode.OUT_OF_RANGE)


def _after_key(field: ContactOrderField, after: str) -> tuple[Any, str]:
    first = int if field is ContactOrderField.SCORE else str
    value, last_id = decode_cursor(field.value, after, first, str)
    if field is ContactOrderField.CREATED_AT:
        try:
            value = datetime.fromisoformat(value)
        except ValueError as error:
            raise BadCursor(f"'{after[:100]}' is not a valid cursor") from error
    return value, last_id


def _sort_value(contact: Contact, field: ContactOrderField) -> Any:
    if field is ContactOrderField.SCORE:
        return contact.score
    if field is ContactOrderField.EMAIL:
        return contact.email
    return contact.created_at.isoformat()


@strawberry.type
class ContactQueries:
    @strawberry.field(permission_classes=[IsViewer])
    async def contact(
        self, info: Info, id: strawberry.ID | None = None, email: str | None = None
    ) -> Contact | None:
        if (id is None) == (email is None):
            raise InputRefused("id", "Give exactly one of id or email", ErrorCode.INVALID)
        store = info.context.store
        if id is not None:
            record = await info.context.loaders.contacts.load(str(id))
        else:
            record = await store.contacts.by_email(normalize_email(email or ""))
        return Contact.of(record) if record else None

    @strawberry.field(
        permission_classes=[IsViewer], description=f"At most {MAX_PAGE_SIZE} contacts a page"
    )
    async def contacts(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: ContactFilter | None = None,
        order_by: ContactOrder | None = None,
    ) -> ContactConnection:
        store = info.context.store
        given = filter or ContactFilter()
        _check_filter(given)
        order = order_by or ContactOrder()
        query = ContactQuery(
            min_score=given.min_score,
            max_score=given.max_score,
            mailing_list=given.mailing_list,
            country=given.country,
        )
        if given.classification is not None:
            query = await class_query(store, query, given.classification)
        if given.search is not None:
            try:
                query = await search_query(store, query, given.search)
            except ServiceFailure as failure:
                raise refusal(failure) from None
        after_key = _after_key(order.field, after) if after else None
        descending = order.direction is OrderDirection.DESC
        if order.field is ContactOrderField.SCORE:
            records, has_next = await score_page(
                store, query, page_size(first), descending, after_key
            )
        else:
            records, has_next = await store.contacts.page(
                query, page_size(first), order.field.value, descending, after_key
            )
        nodes = [Contact.of(r) for r in records]
        edges = [
            ContactEdge(
                cursor=encode_cursor(order.field.value, [_sort_value(n, order.field), str(n.id)]),
                node=n,
            )
            for n in nodes
        ]
        return ContactConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=has_next, end_cursor=edges[-1].cursor if edges else None
            ),
            counter=lambda: count(store, query),
        )
