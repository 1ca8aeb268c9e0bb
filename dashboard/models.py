"""The rows the screens show, each read from its GraphQL answer in one place.

GraphQL answers are JSON (`Json`); the states keep these typed rows instead.
"""

from dataclasses import dataclass, field
from typing import Any

from dashboard.enums import (
    CLASS_COLORS,
    CLASS_LABELS,
    ENTRY_KIND_LABELS,
    JOB_STATUS_LABELS,
    words,
)

Json = dict[str, Any]


def full_name(node: Json) -> str:
    return " ".join(p for p in (node["firstName"], node["lastName"]) if p)


def contacts_text(count: int) -> str:
    return f"{count:,} contact" + ("" if count == 1 else "s")


def short_time(value: str | None, missing: str) -> str:
    """An ISO time as `YYYY-MM-DD HH:MM`."""
    return (value or missing)[:16].replace("T", " ")


@dataclass
class ClassTile:
    key: str = ""
    label: str = ""
    color: str = ""
    count: int = 0
    share: int = 0

    @classmethod
    def from_api(cls, count: Json) -> "ClassTile":
        key = count["classification"]
        return cls(
            key, CLASS_LABELS[key], CLASS_COLORS[key], count["count"], round(count["share"] * 100)
        )


@dataclass
class Bucket:
    range: str = ""
    contacts: int = 0

    @classmethod
    def from_api(cls, bucket: Json) -> "Bucket":
        return cls(f"{bucket['low']}..{bucket['high']}", bucket["count"])


@dataclass
class TimelineRow:
    id: str = ""
    points: int = 0
    points_text: str = ""
    total: int = 0
    reason: str = ""
    kind: str = ""
    when: str = ""
    by: str = ""
    url: str = ""

    @classmethod
    def from_api(cls, entry: Json) -> "TimelineRow":
        activity = entry.get("activity") or {}
        kind: str = entry["kind"]
        return cls(
            id=entry["id"],
            points=entry["points"],
            points_text=f"{entry['points']:+d}",
            total=entry["totalAfter"],
            reason=entry["reason"],
            kind=ENTRY_KIND_LABELS.get(kind, kind),
            when=entry["at"][:19].replace("T", " "),
            by=entry.get("actor") or "",
            url=activity.get("url") or "",
        )


@dataclass
class ScorePoint:
    """The score after a change, for the chart."""

    when: str = ""
    score: int = 0


@dataclass
class ContactRow:
    id: str = ""
    email: str = ""
    name: str = ""
    country: str = ""
    lists: str = ""
    score: int = 0
    class_key: str = ""
    class_label: str = ""

    @classmethod
    def from_api(cls, node: Json) -> "ContactRow":
        return cls(
            id=node["id"],
            email=node["email"],
            name=full_name(node) or "—",
            country=node["country"] or "—",
            lists=", ".join(node["mailingLists"]) or "—",
            score=node["score"],
            class_key=node["classification"],
            class_label=CLASS_LABELS[node["classification"]],
        )


@dataclass
class SheetRow:
    activity: str = ""
    label: str = ""
    points: int = 0
    min_points: int = 0
    max_points: int = 0
    allowed: str = ""

    @classmethod
    def from_api(cls, entry: Json) -> "SheetRow":
        low, high = entry["minPoints"], entry["maxPoints"]
        activity = entry["activity"]
        return cls(
            activity, words(activity).capitalize(), entry["points"], low, high, f"{low} to {high}"
        )


@dataclass
class Condition:
    """A condition on a contact field, as field rules and views have them."""

    field: str = ""
    operator: str = "EQUALS"
    value: str = ""

    @classmethod
    def from_api(cls, condition: Json) -> "Condition":
        return cls(condition["field"], condition["operator"], condition["value"])

    @classmethod
    def from_form(cls, form: Json, slot: int) -> "Condition | None":
        """Slot `slot` of a form (field0, operator0, value0, ...); None when its field is empty."""
        name = str(form.get(f"field{slot}", "")).strip()
        if not name:
            return None
        return cls(
            name, str(form.get(f"operator{slot}") or "EQUALS"), str(form.get(f"value{slot}", ""))
        )

    def text(self) -> str:
        return f"{self.field} {words(self.operator)} {self.value}".strip()

    def as_input(self) -> Json:
        return {"field": self.field, "operator": self.operator, "value": self.value}


def conditions_from_form(form: Json, slots: int) -> list[Condition]:
    return [c for i in range(slots) if (c := Condition.from_form(form, i)) is not None]


def padded(conditions: list[Condition], slots: int) -> list[Condition]:
    """One condition per slot of the form, the empty ones last."""
    return conditions + [Condition() for _ in range(slots - len(conditions))]


def comma_list(text: Any) -> list[str]:
    return [part.strip() for part in str(text or "").split(",") if part.strip()]


@dataclass
class Share:
    """A part of a report: a mailing list or a country, its contacts, its share in percent."""

    name: str = ""
    count: int = 0
    share: int = 0

    @classmethod
    def rows(cls, counts: list[Json], total: int) -> list["Share"]:
        return [
            cls(c["name"], c["count"], round(100 * c["count"] / total) if total else 0)
            for c in counts
        ]


@dataclass
class FieldRuleRow:
    id: str = ""
    name: str = ""
    points: int = 0
    conditions: list[Condition] = field(default_factory=list)
    summary: str = ""

    @classmethod
    def from_api(cls, rule: Json) -> "FieldRuleRow":
        conditions = [Condition.from_api(c) for c in rule["conditions"]]
        summary = " and ".join(c.text() for c in conditions)
        return cls(rule["id"], rule["name"], rule["points"], conditions, summary)


@dataclass
class CustomRuleRow:
    id: str = ""
    name: str = ""
    points: int = 0
    activity_type: str = "ANY"
    url_equals: str = ""
    url_contains: str = ""
    campaign_id: str = ""
    enabled: bool = True
    excluded: str = ""
    summary: str = ""

    @classmethod
    def from_api(cls, rule: Json) -> "CustomRuleRow":
        row = cls(
            id=rule["id"],
            name=rule["name"],
            points=rule["points"],
            activity_type=rule["activityType"] or "ANY",
            url_equals=rule["urlEquals"] or "",
            url_contains=rule["urlContains"] or "",
            campaign_id=rule["campaignId"] or "",
            enabled=rule["enabled"],
            excluded=", ".join(rule["excludedCampaigns"]),
        )
        parts = [words(row.activity_type)] if rule["activityType"] else []
        parts += [f"URL is {row.url_equals}"] if row.url_equals else []
        parts += [f"URL contains {row.url_contains}"] if row.url_contains else []
        parts += [f"campaign {row.campaign_id}"] if row.campaign_id else []
        row.summary = ", ".join(parts)
        return row


@dataclass
class JobStep:
    """Where a background job (a reset, a field-rule sync) is: one step of its progress."""

    id: str = ""
    running: bool = False
    done: int = 0
    total: int = 0
    affected: int = 0
    percent: int = 0

    @classmethod
    def from_api(cls, job: Json) -> "JobStep":
        return cls(
            id=job["id"],
            running=job["status"] == "RUNNING",
            done=job["done"],
            total=job["total"],
            affected=job["affected"],
            percent=round(100 * job["progress"]),
        )

    def walked(self) -> str:
        """How far it is, e.g. `1,200 of 5,000`."""
        return f"{self.done:,} of {self.total:,}"


@dataclass
class ResetRow:
    id: str = ""
    running: bool = False
    when: str = ""
    actor: str = ""
    reason: str = ""
    status: str = ""
    affected: int = 0
    enabled: str = ""

    @classmethod
    def from_api(cls, reset: Json) -> "ResetRow":
        return cls(
            **job_row_fields(reset),
            enabled="Yes" if reset["scoringEnabled"] else "No",
        )


def job_row_fields(job: Json) -> dict[str, Any]:
    """What every background job's row shows, from its `BackgroundJob` fields."""
    return {
        "id": job["id"],
        "running": job["status"] == "RUNNING",
        "when": short_time(job["startedAt"], ""),
        "actor": job["actor"],
        "reason": job["reason"],
        "status": JOB_STATUS_LABELS[job["status"]],
        "affected": job["affected"],
    }
