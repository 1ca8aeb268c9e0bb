"""The values of the API's enums, read from the committed SDL, and their words on the screens.

The dashboard talks to the API only through GraphQL: the selects offer what the schema allows, and
tests/test_dashboard_documents.py checks that every label below names a value of its enum.
"""

from pathlib import Path

from graphql import EnumTypeDefinitionNode, parse

SDL_PATH = Path(__file__).resolve().parent.parent / "graphql_schema" / "schema.graphql"


def _enum_values() -> dict[str, list[str]]:
    document = parse(SDL_PATH.read_text())
    return {
        definition.name.value: [value.name.value for value in definition.values or ()]
        for definition in document.definitions
        if isinstance(definition, EnumTypeDefinitionNode)
    }


ENUMS = _enum_values()
ACTIVITY_TYPES = ENUMS["ActivityType"]
CLASSIFICATION_BASES = ENUMS["ClassificationBasis"]
CONTACT_CLASSES = ENUMS["ContactClass"]
FIELD_OPERATORS = ENUMS["FieldOperator"]
NOTIFICATION_FREQUENCIES = ENUMS["NotificationFrequency"]
ROLES = ENUMS["Role"]
SCORE_ACTIVITIES = ENUMS["ScoreActivity"]
SCORE_CONDITION_KINDS = ENUMS["ScoreConditionKind"]
SCORING_PERIOD_KINDS = ENUMS["ScoringPeriodKind"]
WEEKDAYS = ENUMS["Weekday"]
WORKFLOW_TRIGGERS = ENUMS["WorkflowTrigger"]

# Words for values, by enum name (checked against the SDL by the tests).
LABELS: dict[str, dict[str, str]] = {
    "ContactClass": {
        "MOST_ENGAGED": "Most engaged",
        "PROGRESSING": "Progressing",
        "GETTING_STARTED": "Getting started",
    },
    "EntryKind": {
        "ACTIVITY": "Activity",
        "MANUAL": "Manual",
        "RULE": "Rule",
        "RESET": "Reset",
        "EXPIRY": "Expiry",
        "RESCORE": "Rescore",
        "WORKFLOW": "Workflow",
    },
    "ClassificationBasis": {
        "TOTAL_SCORE": "Total score",
        "RECENT_POINTS": "Points in the last N days",
    },
    "JobStatus": {"RUNNING": "Running", "DONE": "Done"},
    "ApiTokenStatus": {"ACTIVE": "Active", "EXPIRED": "Expired", "REVOKED": "Revoked"},
    "WorkflowTrigger": {
        "FIELD_CONDITION": "A contact field comes to match",
        "LIST_JOIN": "The contact joins the list",
        "ACTIVITY": "The contact does an activity",
    },
}
CLASS_LABELS = LABELS["ContactClass"]
ENTRY_KIND_LABELS = LABELS["EntryKind"]
BASIS_LABELS = LABELS["ClassificationBasis"]
JOB_STATUS_LABELS = LABELS["JobStatus"]
TOKEN_STATUS_LABELS = LABELS["ApiTokenStatus"]
TRIGGER_LABELS = LABELS["WorkflowTrigger"]
CLASS_COLORS = {"MOST_ENGAGED": "grass", "PROGRESSING": "amber", "GETTING_STARTED": "gray"}


def words(value: str) -> str:
    """An enum value as plain words: NOT_EQUALS -> not equals."""
    return value.replace("_", " ").lower()
