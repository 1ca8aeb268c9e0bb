"""The inputs of a custom rule, shared by the rules screen (saving one) and the rule drafts screen
(simulating one): what the rule gives points for."""

import reflex as rx
from reflex.vars.object import ObjectVar

from dashboard.components.forms import field_error, select_of, text_field
from dashboard.enums import ACTIVITY_TYPES
from dashboard.models import CustomRuleRow, FieldRuleRow


def name_and_points(
    rule: rx.Var[FieldRuleRow | CustomRuleRow], id_prefix: str, points_hint: str
) -> list[rx.Component]:
    """The name and points inputs every rule starts with."""
    return [
        text_field(
            "Name", "name", default_value=rule.name, id=f"{id_prefix}-name", min_width="220px"
        ),
        text_field(
            "Points",
            "points",
            placeholder=points_hint,
            type="number",
            default_value=rx.cond(rule.id != "", rule.points.to_string(), ""),
            id=f"{id_prefix}-points",
            width="160px",
        ),
    ]


def custom_rule_fields(
    rule: rx.Var[CustomRuleRow],
    id_prefix: str,
    errors: ObjectVar[dict[str, str]] | None = None,
    error_prefix: str = "",
) -> list[rx.Component]:
    """A custom rule's inputs (named as CustomRuleInput's fields, `excluded` aside); with
    `errors`, the API's error about each (`error_prefix` + its field) under it."""
    name, points = name_and_points(rule, id_prefix, "Points (-50 to 100)")
    controls = [
        (name, "name", f"{id_prefix}-name"),
        (points, "points", f"{id_prefix}-points"),
        (
            select_of(
                "activityType",
                ["ANY", *ACTIVITY_TYPES],
                rule.activity_type,
                f"{id_prefix}-type",
                "Activity",
            ),
            "activityType",
            f"{id_prefix}-type",
        ),
        (
            text_field(
                "URL is", "urlEquals", default_value=rule.url_equals, id=f"{id_prefix}-url-is"
            ),
            "urlEquals",
            f"{id_prefix}-url-is",
        ),
        (
            text_field(
                "URL contains",
                "urlContains",
                default_value=rule.url_contains,
                id=f"{id_prefix}-url",
            ),
            "urlContains",
            f"{id_prefix}-url",
        ),
        (
            text_field(
                "Campaign", "campaignId", default_value=rule.campaign_id, id=f"{id_prefix}-campaign"
            ),
            "campaignId",
            f"{id_prefix}-campaign",
        ),
        (
            text_field(
                "Campaigns that opt out (comma separated)",
                "excluded",
                default_value=rule.excluded,
                min_width="260px",
                id=f"{id_prefix}-excluded",
            ),
            "excludedCampaigns",
            f"{id_prefix}-excluded",
        ),
    ]
    if errors is not None:
        controls = [
            (
                rx.vstack(
                    control, field_error(errors, error_prefix + field, control_id), spacing="1"
                ),
                field,
                control_id,
            )
            for control, field, control_id in controls
        ]
    parts = [control for control, _, _ in controls]
    return [
        rx.flex(*parts[:3], gap="2", wrap="wrap"),
        rx.flex(*parts[3:], gap="2", wrap="wrap"),
        rx.checkbox("Enabled", name="enabled", default_checked=rule.enabled),
    ]
