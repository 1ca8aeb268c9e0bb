"""Contacts: creating and updating them, setting a score by hand, and finding them."""

from api.db.client import Store
from api.db.contact_docs import ContactQuery
from api.db.contact_search import SearchTooBroad, search_text
from api.domain.changes import ScoreSet
from api.domain.classification import ClassificationBasis, ContactClass
from api.domain.contacts import ContactDetails, ContactRecord
from api.domain.ledger import Entry
from api.services.classifying import recent_points
from api.services.errors import ErrorCode, ServiceError, ServiceFailure
from api.services.field_rule_sync import sync_contacts
from api.services.validation import (
    FIELD_NAME,
    MAX_REASON,
    email_problem,
    normalize_email,
    text_problem,
)
from api.services.workflows import upsert_awards
from api.writes.commit import commit, planner_for

MAX_LISTS = 50
MAX_FIELDS = 50
MANUAL_SCORE_RANGE = (-10_000, 100_000)


def _detail_problems(details: ContactDetails) -> list[ServiceError]:
    checks = [
        text_problem("firstName", details.first_name),
        text_problem("lastName", details.last_name),
        text_problem("country", details.country),
    ]
    problems = [p for p in checks if p is not None]
    lists = details.mailing_lists or []
    if len(lists) > MAX_LISTS:
        problems.append(
            ServiceError("mailingLists", f"At most {MAX_LISTS} mailing lists", ErrorCode.TOO_MANY)
        )
    problems += [
        p
        for p in (text_problem("mailingLists", name, required=True) for name in lists)
        if p is not None
    ]
    fields = details.fields or {}
    if len(fields) > MAX_FIELDS:
        problems.append(ServiceError("fields", f"At most {MAX_FIELDS} fields", ErrorCode.TOO_MANY))
    for name, value in fields.items():
        if not FIELD_NAME.match(name):
            problems.append(
                ServiceError(
                    "fields",
                    f"Field name '{name}' must start with a letter and hold only letters, "
                    "digits and underscores (64 at most)",
                    ErrorCode.INVALID,
                )
            )
        problem = text_problem(f"fields.{name}", value, limit=MAX_REASON)
        if problem:
            problems.append(problem)
    return problems


async def upsert_contact(
    store: Store, email: str, details: ContactDetails
) -> tuple[ContactRecord, bool]:
    """Create or change a contact, and score what that changes (field rules, workflows)."""
    problems = [p for p in [email_problem("email", email)] if p] + _detail_problems(details)
    if problems:
        raise ServiceFailure(problems)
    cleaned = ContactDetails(
        first_name=details.first_name.strip() if details.first_name else details.first_name,
        last_name=details.last_name.strip() if details.last_name else details.last_name,
        country=details.country.strip() if details.country else details.country,
        mailing_lists=(
            sorted({name.strip() for name in details.mailing_lists})
            if details.mailing_lists is not None
            else None
        ),
        fields=details.fields,
    )
    contact, previous = await store.contacts.upsert_with_previous(normalize_email(email), cleaned)
    # Field-rule points and workflow awards in one commit: one explained, atomic change.
    awards = await upsert_awards(store, previous, contact)
    if await sync_contacts(store, [contact.id], also={contact.id: awards}):
        contact = await store.contacts.get(contact.id) or contact
    return contact, previous is None


async def set_score(
    store: Store, contact_id: str, score: int, reason: str, actor: str
) -> tuple[ContactRecord, Entry]:
    problems = [p for p in [text_problem("reason", reason, required=True, limit=MAX_REASON)] if p]
    low, high = MANUAL_SCORE_RANGE
    if not low <= score <= high:
        problems.append(
            ServiceError("score", f"score must be between {low} and {high}", ErrorCode.OUT_OF_RANGE)
        )
    if problems:
        raise ServiceFailure(problems)
    sheet = await store.sheet.score_sheet()
    change = ScoreSet(score, f"Score set by hand to {score}: {reason.strip()}", actor)
    outcome = await commit(store, {contact_id: [change]}, planner_for(sheet))
    if contact_id in outcome.missing:
        raise ServiceFailure(
            [ServiceError("contactId", f"No contact with id {contact_id}", ErrorCode.NOT_FOUND)]
        )
    contact = await store.contacts.get(contact_id)
    assert contact is not None
    return contact, outcome.entries[contact_id][0]


async def class_query(store: Store, query: ContactQuery, cls: ContactClass) -> ContactQuery:
    """Narrow a contact query to one class, under the classification in force."""
    settings = await store.sheet.classification()
    low, high = settings.score_bounds(cls)
    if settings.basis is ClassificationBasis.TOTAL_SCORE:
        if low is not None:
            query.min_score = low if query.min_score is None else max(query.min_score, low)
        if high is not None:
            top = high - 1
            query.max_score = top if query.max_score is None else min(query.max_score, top)
        return query
    recent = await recent_points(store, settings, None)
    inside = {cid for cid, points in recent.items() if settings.classify(points) is cls}
    if settings.classify(0) is cls:
        # Contacts with no recent points belong here too: exclude the others instead.
        query.exclude_ids |= {cid for cid in recent if cid not in inside}
    else:
        query.ids = inside if query.ids is None else query.ids & inside
    return query


async def search_query(store: Store, query: ContactQuery, search: str) -> ContactQuery:
    """Narrow a contact query to the contacts a search finds: those with an email or name word
    that starts with the search text (a blank search: no condition)."""
    if not search.strip():
        return query
    try:
        query.matches = await store.contacts.search.matching(search_text(search))
    except SearchTooBroad as too_broad:
        message = (
            f"'{too_broad.text}' matches more than {too_broad.limit} contacts: "
            "search with more of the email address or name"
        )
        raise ServiceFailure([ServiceError("filter.search", message, ErrorCode.TOO_MANY)]) from None
    return query
