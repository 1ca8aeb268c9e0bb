"""The contacts screen: search, filters, sort by score, pages."""

import dataclasses
from typing import Any

import reflex as rx

from dashboard.documents import CONTACTS
from dashboard.enums import CLASS_LABELS
from dashboard.graphql_client import ApiError
from dashboard.models import ContactRow
from dashboard.states.auth import call

PAGE = 20


class ContactsState(rx.State):
    rows: list[ContactRow] = []
    total: int = 0
    search: str = ""
    class_filter: str = ""
    min_score: str = ""
    max_score: str = ""
    mailing_list: str = ""
    country: str = ""
    descending: bool = True
    cursors: list[str] = [""]
    _next_cursor: str = ""
    has_next: bool = False
    loading: bool = True
    error: str = ""

    @rx.var
    def page_number(self) -> int:
        return len(self.cursors)

    def _filter(self) -> dict[str, Any]:
        given: dict[str, Any] = {}
        if self.search.strip():
            given["search"] = self.search.strip()
        if self.class_filter:
            given["classification"] = self.class_filter
        if self.mailing_list.strip():
            given["mailingList"] = self.mailing_list.strip()
        if self.country.strip():
            given["country"] = self.country.strip()
        for key, value in (("minScore", self.min_score), ("maxScore", self.max_score)):
            if value.strip():
                given[key] = int(value)
        return given

    @rx.event
    async def open(self) -> None:
        """On page load: a class picked on the classification screen arrives as ?class=."""
        self.class_filter = self.router.url.query_parameters.get("class", "")
        self.cursors = [""]
        await self._load()

    async def _load(self) -> None:
        self.loading = True
        try:
            variables = {
                "first": PAGE,
                "after": self.cursors[-1] or None,
                "filter": self._filter(),
                "orderBy": {"field": "SCORE", "direction": "DESC" if self.descending else "ASC"},
            }
        except ValueError:
            self.error, self.loading = "Scores must be whole numbers", False
            return
        try:
            data = (await call(self, CONTACTS, variables))["contacts"]
        except ApiError as error:
            self.error, self.loading = str(error), False
            return
        self.rows = [ContactRow.from_api(edge["node"]) for edge in data["edges"]]
        self.total = data["totalCount"]
        self.has_next = data["pageInfo"]["hasNextPage"]
        self._next_cursor = data["pageInfo"]["endCursor"] or ""
        self.loading, self.error = False, ""

    @rx.event
    async def apply(self, form: dict[str, Any]) -> None:
        self.search = str(form.get("search", ""))
        self.class_filter = str(form.get("class_filter", "")).replace("ALL", "")
        self.min_score = str(form.get("min_score", ""))
        self.max_score = str(form.get("max_score", ""))
        self.mailing_list = str(form.get("mailing_list", ""))
        self.country = str(form.get("country", ""))
        self.cursors = [""]
        await self._load()

    @rx.event
    async def toggle_order(self) -> None:
        self.descending = not self.descending
        self.cursors = [""]
        await self._load()

    @rx.event
    async def next_page(self) -> None:
        if self.has_next:
            self.cursors = [*self.cursors, self._next_cursor]
            await self._load()

    @rx.event
    async def previous_page(self) -> None:
        if len(self.cursors) > 1:
            self.cursors = self.cursors[:-1]
            await self._load()

    def score_change(self, contact_id: str, score: int, class_key: str) -> None:
        """A score changed (live): update its row if it is on this page."""
        if not any(row.id == contact_id for row in self.rows):
            return
        self.rows = [
            dataclasses.replace(
                row, score=score, class_key=class_key, class_label=CLASS_LABELS[class_key]
            )
            if row.id == contact_id
            else row
            for row in self.rows
        ]
