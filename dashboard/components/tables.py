"""A table of rows from a list var, one component per row."""

from collections.abc import Callable
from typing import Any

import reflex as rx


def table(
    headers: list[str],
    rows: rx.Var[list[Any]],
    row: Callable[[rx.Var[Any]], rx.Component],
    **props: Any,
) -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(rows, row)),
            width="100%",
            variant="surface",
        ),
        overflow_x="auto",
        width="100%",
        **props,
    )
