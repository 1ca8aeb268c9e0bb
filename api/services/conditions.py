"""Checks of contact-field conditions, as field rules, views and workflows take them."""

from collections.abc import Sequence

from api.domain.rules import FieldCondition
from api.scoring.rules import NUMERIC, PROFILE_FIELDS, VALUELESS
from api.services.errors import ErrorCode, ServiceError
from api.services.validation import FIELD_NAME, text_problem


def conditions_problems(conditions: Sequence[FieldCondition], field: str) -> list[ServiceError]:
    """What is wrong with each condition; `field` names the input list (e.g. "conditions")."""
    return [p for i, c in enumerate(conditions) for p in condition_problems(c, f"{field}.{i}")]


def condition_problems(condition: FieldCondition, where: str) -> list[ServiceError]:
    """What is wrong with one condition; `where` names it in the input."""
    problems: list[ServiceError] = []
    custom = condition.field.removeprefix("fields.")
    if condition.field not in PROFILE_FIELDS and not (
        condition.field.startswith("fields.") and FIELD_NAME.match(custom)
    ):
        problems.append(
            ServiceError(
                f"{where}.field",
                f"Unknown field '{condition.field}': use one of "
                f"{', '.join(PROFILE_FIELDS)} or fields.<custom field>",
                ErrorCode.INVALID,
            )
        )
    if condition.operator not in VALUELESS:
        problem = text_problem(f"{where}.value", condition.value, required=True)
        if problem:
            problems.append(problem)
    if condition.operator in NUMERIC:
        try:
            float(condition.value)
        except ValueError:
            problems.append(
                ServiceError(
                    f"{where}.value", f"'{condition.value}' is not a number", ErrorCode.INVALID
                )
            )
    return problems
