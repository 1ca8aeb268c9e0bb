"""A view's summary in words: its definition, totals, counts and top contacts, for email and PDF."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from api.domain.rules import FieldCondition, FieldOperator
from api.domain.views import PeriodKind, ScoreConditionKind, ScoreView, ViewReport
from api.scoring.rules import VALUELESS

TOP_CONTACTS = 10
MAX_ROWS = 50

OPERATOR_WORDS = {
    FieldOperator.EQUALS: "equals",
    FieldOperator.NOT_EQUALS: "does not equal",
    FieldOperator.CONTAINS: "contains",
    FieldOperator.STARTS_WITH: "starts with",
    FieldOperator.GREATER_THAN: "is greater than",
    FieldOperator.LESS_THAN: "is less than",
    FieldOperator.IS_EMPTY: "is empty",
    FieldOperator.IS_NOT_EMPTY: "is not empty",
}
FIELD_WORDS = {
    "email": "email",
    "firstName": "first name",
    "lastName": "last name",
    "country": "country",
    "mailingList": "mailing list",
}


@dataclass(frozen=True)
class TopContact:
    email: str
    name: str
    score: int


@dataclass(frozen=True)
class ViewSummary:
    view: ScoreView
    report: ViewReport
    top_contacts: Sequence[TopContact]
    made_at: datetime

    @property
    def title(self) -> str:
        return f"Score view '{self.view.name}'"

    @property
    def pdf_filename(self) -> str:
        slug = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in self.view.name)
        return f"{slug.strip('-').lower() or 'view'}-summary.pdf"

    @property
    def as_of(self) -> str:
        return f"As of {self.made_at:%Y-%m-%d %H:%M} UTC"


def condition_words(view: ScoreView) -> str:
    condition = view.condition
    match condition.kind:
        case ScoreConditionKind.AT_LEAST:
            return f"score at least {condition.min}"
        case ScoreConditionKind.AT_MOST:
            return f"score at most {condition.max}"
        case ScoreConditionKind.BETWEEN:
            return f"score between {condition.min} and {condition.max}"


def period_words(view: ScoreView) -> str:
    period = view.period
    match period.kind:
        case PeriodKind.ALL_TIME:
            return "all time (the total score)"
        case PeriodKind.LAST_DAYS:
            return f"points earned in the last {period.days} days"
        case PeriodKind.DATE_RANGE:
            return f"points earned from {period.start} to {period.end} (UTC)"


def _criterion_words(condition: FieldCondition) -> str:
    field = FIELD_WORDS.get(condition.field, condition.field.replace("fields.", "field "))
    words = f"{field} {OPERATOR_WORDS[condition.operator]}"
    return words if condition.operator in VALUELESS else f"{words} '{condition.value}'"


def definition(view: ScoreView) -> list[tuple[str, str]]:
    """(label, words) for each part of the view's definition."""
    criteria = "; ".join(_criterion_words(c) for c in view.criteria) or "none"
    lists = ", ".join(view.mailing_lists) or "all contacts"
    return [
        ("Condition", condition_words(view)),
        ("Period", period_words(view)),
        ("Criteria", criteria),
        ("Mailing lists", lists),
    ]


def table(counts: Sequence[tuple[str, int]]) -> tuple[list[tuple[str, int]], int]:
    """The rows worth showing (largest first, as the report has them) and how many are left out."""
    return list(counts[:MAX_ROWS]), max(0, len(counts) - MAX_ROWS)


def top_contact_line(rank: int, contact: TopContact) -> str:
    name = f" ({contact.name})" if contact.name else ""
    return f"{rank}. {contact.email}{name}: {contact.score}"
