"""How contacts look in the `contacts` collection: their documents, scoring states and queries."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from api.domain.contacts import ContactRecord, ContactState
from api.domain.histogram import Generation, ScoreHistogram

Document = dict[str, Any]


@dataclass
class ContactQuery:
    min_score: int | None = None
    max_score: int | None = None
    ids: set[str] | None = None
    exclude_ids: set[str] = field(default_factory=set)
    mailing_list: str | None = None
    # In any of these lists (None: no condition).
    any_mailing_list: list[str] | None = None
    country: str | None = None
    # The contacts a search found (None: no search). `ContactsRepo.page` and `count` read them one
    # by one by key, since a long `$in` costs time proportional to ids times contacts.
    matches: set[str] | None = None
    # The contacts among `matches` that the rest of the query selects, once read.
    found: list[Document] | None = field(default=None, compare=False, repr=False)
    # The score histogram, once read for this query (its page and its count agree).
    histogram: ScoreHistogram | None = field(default=None, compare=False, repr=False)

    def to_mongo(self) -> Document:
        query: Document = {}
        score: Document = {}
        if self.min_score is not None:
            score["$gte"] = self.min_score
        if self.max_score is not None:
            score["$lte"] = self.max_score
        if score:
            query["score"] = score
        ids: Document = {}
        among = self.among()
        if among is not None:
            ids["$in"] = sorted(among)
        if self.exclude_ids:
            ids["$nin"] = sorted(self.exclude_ids)
        if ids:
            query["_id"] = ids
        lists: Document = {}
        if self.mailing_list is not None:
            lists["$all"] = [self.mailing_list]
        if self.any_mailing_list is not None:
            lists["$in"] = self.any_mailing_list
        if lists:
            query["mailingLists"] = lists
        if self.country is not None:
            query["country"] = self.country
        return query

    def parts(self, current: Generation) -> tuple[Document, Document | None]:
        """While a reset walks: the query over contacts of the current generation, and over those
        of older ones, whose score is 0 (None when 0 is out of the score range)."""
        query = self.to_mongo()
        rest = {key: value for key, value in query.items() if key != "score"}
        newer = {**query, "gen": current.id}
        zero_fits = (self.min_score is None or self.min_score <= 0) and (
            self.max_score is None or self.max_score >= 0
        )
        return newer, ({**rest, "gen": {"$ne": current.id}} if zero_fits else None)

    def in_generation(self, current: Generation) -> Document:
        """The query, with scores of older generations read as 0 while a reset walks."""
        if not current.walking:
            return self.to_mongo()
        newer, older = self.parts(current)
        return newer if older is None else {"$or": [newer, older]}

    def score_range_only(self) -> bool:
        """Whether the query selects by score alone."""
        return self.to_mongo().keys() <= {"score"} and self.matches is None

    def among(self) -> set[str] | None:
        """The contact ids this query is limited to (None: no limit)."""
        if self.ids is None or self.matches is None:
            return self.ids if self.matches is None else self.matches
        return self.ids & self.matches


BEFORE_RESETS = Generation()


def record(doc: Document, current: Generation = BEFORE_RESETS) -> ContactRecord:
    """The contact as clients see it: a score of an older reset generation reads as 0."""
    return ContactRecord(
        id=doc["_id"],
        email=doc["email"],
        first_name=doc.get("firstName"),
        last_name=doc.get("lastName"),
        country=doc.get("country"),
        mailing_lists=list(doc.get("mailingLists", [])),
        fields=dict(doc.get("fields", {})),
        score=int(doc["score"]) if current.holds(doc.get("gen")) else 0,
        created_at=doc["createdAt"],
        updated_at=doc["updatedAt"],
    )


PUBLIC_FIELDS = {
    name: 1
    for name in (
        "email",
        "firstName",
        "lastName",
        "country",
        "mailingLists",
        "fields",
        "score",
        "gen",
        "createdAt",
        "updatedAt",
    )
}


STATE_FIELDS = {
    "score": 1,
    "seq": 1,
    "occ": 1,
    "rules": 1,
    "resetSeq": 1,
    "ruleExpiry": 1,
    "gen": 1,
}


def stored_state(doc: Document) -> ContactState:
    """A contact's scoring state as its document holds it (entries after `seq`, if any, are
    ledger-only: `replay` brings the state up to date with them)."""
    return ContactState(
        doc["_id"],
        int(doc["score"]),
        int(doc["seq"]),
        dict(doc.get("occ", {})),
        {rule: int(points) for rule, points in doc.get("rules", {}).items()},
        stored_seq=int(doc["seq"]),
        reset_seq=int(doc.get("resetSeq", 0)),
        rule_expiry={rule: int(seq) for rule, seq in doc.get("ruleExpiry", {}).items()},
        gen=doc.get("gen"),
        stored_gen=doc.get("gen"),
    )


def state_update(before: ContactState, after: ContactState, now: datetime) -> Document:
    fields = {
        "score": after.score,
        "seq": after.seq,
        "occ": after.occurrences,
        "rules": after.rule_points,
        "updatedAt": now,
    }
    # Only contacts that were reset or hold expiring field-rule points carry these.
    if after.reset_seq:
        fields["resetSeq"] = after.reset_seq
    if after.rule_expiry or before.rule_expiry:
        fields["ruleExpiry"] = after.rule_expiry
    if after.gen != before.stored_gen:
        fields["gen"] = after.gen
    return {"$set": fields}
