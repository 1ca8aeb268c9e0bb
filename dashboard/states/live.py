"""Live score changes pushed into the page: a background event holds the subscription."""

import asyncio
from typing import Any

import reflex as rx

from dashboard.graphql_client import subscribe
from dashboard.states.auth import AuthState
from dashboard.states.classification import ClassificationState
from dashboard.states.contact import ContactState
from dashboard.states.contacts import ContactsState

CHANGES = """subscription { scoreChanged {
  contactId delta score previousScore classification previousClassification reason at
  entry { id points totalAfter reason kind at actor activity { type campaignId url } } } }"""


class LiveState(rx.State):
    connected: bool = False
    watching: bool = False
    last_change: str = ""

    @rx.event(background=True)
    async def watch(self) -> None:
        """Hold the subscription; reconnect on its own when the API goes away and comes back."""
        async with self:
            if self.watching:
                return
            self.watching = True
        delay = 0.5
        try:
            while True:
                async with self:
                    token = (await self.get_state(AuthState)).token
                try:
                    async for data in subscribe(CHANGES, None, token):
                        async with self:
                            self.connected = True
                            if data is not None:
                                await self._apply(data["scoreChanged"])
                        delay = 0.5
                except Exception:  # the API restarted or the network dropped: try again
                    pass
                async with self:
                    self.connected = False
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        finally:
            async with self:
                self.watching = False

    async def _apply(self, change: dict[str, Any]) -> None:
        self.last_change = f"{change['score']} ({change['delta']:+d}): {change['reason']}"
        if change["classification"] != change["previousClassification"]:
            classes = await self.get_state(ClassificationState)
            classes.count_change(change["previousClassification"], change["classification"])
        contact = await self.get_state(ContactState)
        contact.add_live(change)
        contacts = await self.get_state(ContactsState)
        contacts.score_change(change["contactId"], change["score"], change["classification"])
