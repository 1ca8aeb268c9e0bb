"""Form controls shared by the screens, each with an accessible name."""

from typing import Any

import reflex as rx
from reflex.vars.object import ObjectVar

from dashboard.enums import words

# Suggestions for a condition's field: contact fields are no enum (fields.<name> works too).
PROFILE_FIELDS = ["country", "email", "firstName", "lastName", "mailingList"]
SELECT_STYLE = {"padding": "6px", "border_radius": "6px", "border": "1px solid var(--gray-7)"}


def select_of(
    name: str,
    options: list[str],
    value: rx.Var[str] | str,
    element_id: str,
    label: str,
    labels: dict[str, str] | None = None,
    **props: Any,
) -> rx.Component:
    """A native select of enum values, shown as words (or their `labels`), named `label` for
    screen readers; `props`: more of the select's (an `on_change`)."""
    return rx.el.select(
        *[rx.el.option((labels or {}).get(o) or words(o), value=o) for o in options],
        name=name,
        default_value=value,
        id=element_id,
        aria_label=label,
        style=SELECT_STYLE,
        **props,
    )


def text_field(label: str, name: str, **props: Any) -> rx.Component:
    """An input whose placeholder shows what it is for; `label` names it for screen readers
    (a placeholder is no name: it goes away once something is typed)."""
    return rx.input(
        name=name, placeholder=props.pop("placeholder", label), aria_label=label, **props
    )


def labelled(text: str, control: rx.Component, element_id: str, **props: Any) -> rx.Component:
    """A control under its visible label, tied to it by the control's id (`props`: the stack's)."""
    return rx.vstack(
        rx.el.label(text, html_for=element_id, style={"font_size": "var(--font-size-2)"}),
        control,
        **props,
    )


def field_suggestions(element_id: str) -> rx.Component:
    """The datalist a condition's field input suggests from (its `list`)."""
    return rx.el.datalist(*[rx.el.option(value=f) for f in PROFILE_FIELDS], id=element_id)


def field_error(
    errors: ObjectVar[dict[str, str]], field: str | rx.Var[str], control_id: str | rx.Var[str]
) -> rx.Component:
    """The API's error about input `field`, shown next to its control (`control_id`): its id is
    the control's with `-error`."""
    return rx.cond(
        errors.contains(field),
        rx.text(
            errors[field],
            color_scheme="red",
            size="1",
            class_name="field-error",
            role="alert",
            id=control_id + "-error",
        ),
    )


def checked_field(
    text: str,
    control: rx.Component,
    element_id: str,
    errors: ObjectVar[dict[str, str]],
    field: str,
    **props: Any,
) -> rx.Component:
    """`labelled`, with the API's error about input `field` under the control."""
    return labelled(
        text,
        rx.vstack(control, field_error(errors, field, element_id), spacing="1", width="100%"),
        element_id,
        **props,
    )
