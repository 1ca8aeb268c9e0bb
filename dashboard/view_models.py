"""The views screen's rows: saved views, their contacts and their summary email, each read from
its GraphQL answer in one place."""

from dataclasses import dataclass, field

from dashboard.models import Condition, Json, full_name, short_time


def _text(value: object) -> str:
    return "" if value is None else str(value)


@dataclass
class ViewRow:
    """A saved view as the table shows it and as its form edits it."""

    id: str = ""
    name: str = ""
    kind: str = "AT_LEAST"
    min: str = ""
    max: str = ""
    period: str = "ALL_TIME"
    days: str = ""
    start: str = ""
    end: str = ""
    criteria: list[Condition] = field(default_factory=list)
    lists: str = ""
    score_text: str = ""
    period_text: str = ""
    criteria_text: str = ""

    @classmethod
    def from_api(cls, view: Json) -> "ViewRow":
        condition, period = view["scoreCondition"], view["period"]
        row = cls(
            id=view["id"],
            name=view["name"],
            kind=condition["kind"],
            min=_text(condition["min"]),
            max=_text(condition["max"]),
            period=period["kind"],
            days=_text(period["days"]),
            start=period["start"] or "",
            end=period["end"] or "",
            criteria=[Condition.from_api(c) for c in view["criteria"]],
            lists=", ".join(view["mailingLists"]),
        )
        row.score_text = {
            "AT_LEAST": f"score at least {row.min}",
            "AT_MOST": f"score at most {row.max}",
            "BETWEEN": f"score between {row.min} and {row.max}",
        }[row.kind]
        row.period_text = {
            "LAST_DAYS": f"points of the last {row.days} days",
            "DATE_RANGE": f"points earned {row.start} to {row.end}",
        }.get(row.period, "total score")
        row.criteria_text = " and ".join(c.text() for c in row.criteria) or "—"
        return row


@dataclass
class ViewContactRow:
    id: str = ""
    email: str = ""
    name: str = ""
    country: str = ""
    score: int = 0

    @classmethod
    def from_api(cls, node: Json) -> "ViewContactRow":
        return cls(
            node["id"], node["email"], full_name(node), node["country"] or "—", node["score"]
        )


@dataclass
class SummaryEmail:
    """The open view's summary email schedule, as the form shows it (a new one is meant to send)."""

    saved: bool = False
    enabled: bool = True
    frequency: str = "DAILY"
    time: str = "09:00"
    weekday: str = "MONDAY"
    day_of_month: str = ""
    recipients: str = ""
    last_sent_at: str = ""
    next_send_at: str = ""
    last_error: str = ""

    @classmethod
    def from_api(cls, found: Json | None) -> "SummaryEmail":
        if found is None:
            return cls()
        return cls(
            saved=True,
            enabled=found["enabled"],
            frequency=found["frequency"],
            time=found["time"],
            weekday=found["weekday"] or "MONDAY",
            day_of_month=str(found["dayOfMonth"] or 1),
            recipients=", ".join(found["recipients"]),
            last_sent_at=short_time(found["lastSentAt"], "never"),
            next_send_at=short_time(found["nextSendAt"], "—"),
            last_error=found["lastError"] or "",
        )
