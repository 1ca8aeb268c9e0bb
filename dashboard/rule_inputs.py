"""A custom rule's form read as the API's input (CustomRuleInput and its draft twin)."""

from dashboard.models import Json, comma_list


def custom_rule_input(form: Json) -> Json:
    """The input from the form's fields; ValueError when its points are no whole number."""
    activity = str(form.get("activityType") or "ANY")
    return {
        "name": str(form.get("name", "")),
        "points": int(str(form.get("points", "")).strip()),
        "activityType": None if activity == "ANY" else activity,
        "urlEquals": str(form.get("urlEquals", "")) or None,
        "urlContains": str(form.get("urlContains", "")) or None,
        "campaignId": str(form.get("campaignId", "")) or None,
        "enabled": form.get("enabled") == "on",
        "excludedCampaigns": comma_list(form.get("excluded")),
    }
