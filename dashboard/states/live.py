"""Live score changes pushed into the page: a background event holds the subscription."""

import asyncio
import contextlib
import logging
from typing import Any

import reflex as rx

from dashboard.documents import LIVE_CURSOR, SCORE_CHANGES
from dashboard.graphql_client import LiveGap, execute, subscribe
from dashboard.states.auth import AuthState
from dashboard.states.classification import ClassificationState
from dashboard.states.contact import ContactPageState
from dashboard.states.contacts import ContactsState
from dashboard.states.views import ViewsState

log = logging.getLogger(__name__)


class LiveState(rx.State):
    connected: bool = False
    # The browser connection the running watcher serves: a page load opens a new one, and the
    # watcher of the old one then stops.
    _watcher_session: str = ""

    @rx.event(background=True)
    async def watch(self) -> None:
        """Hold the subscription; reconnect on its own when the API goes away and comes back."""
        async with self:
            session = self.router.session.session_id
            if self._watcher_session == session:
                return
            self._watcher_session = session
        try:
            await self._serve(session)
        finally:
            async with self:
                if self._watcher_session == session:
                    self._watcher_session, self.connected = "", False

    async def _serve(self, session: str) -> None:
        """Subscribed again after each reconnect from the last change's cursor, so that nothing
        is missed; told of a gap, it reloads the counts and resumes where the API says."""
        delay = 0.5
        cursor: str | None = None
        missed = False
        while True:
            async with self:
                if self._watcher_session != session:
                    return
                token = await self._token()
            if not token:  # not signed in (yet, or any more)
                await asyncio.sleep(0.5)
                continue
            try:
                if cursor is None:  # before what the screens count, so none is missed
                    cursor = (await execute(LIVE_CURSOR, None, token))["liveCursor"]
                if missed:
                    async with self:
                        await (await self.get_state(ClassificationState)).reload_shown()
                    missed = False
                variables = {"after": cursor}
                async with contextlib.aclosing(
                    subscribe(SCORE_CHANGES, variables, token)
                ) as changes:
                    async for data in changes:
                        async with self:
                            if self._watcher_session != session:
                                return
                            if await self._token() != token:
                                break  # signed out, or signed in as someone else
                            self.connected = True
                            if data is not None:
                                cursor = data["scoreChanged"]["cursor"]
                                await self._apply(data["scoreChanged"])
                        delay = 0.5
            except LiveGap as gap:
                log.info("live changes missed (%s); reloading the counts", gap.code)
                cursor, missed = gap.resume_after, True
                continue
            except Exception:  # the API restarted or the network dropped: try again
                log.warning("live connection lost; reconnecting", exc_info=True)
            async with self:
                self.connected = False
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def _token(self) -> str:
        return (await self.get_state(AuthState))._token()

    async def _apply(self, change: dict[str, Any]) -> None:
        if change["classification"] != change["previousClassification"]:
            classes = await self.get_state(ClassificationState)
            classes.count_change(change["previousClassification"], change["classification"])
        contact = await self.get_state(ContactPageState)
        contact.add_live(change)
        contacts = await self.get_state(ContactsState)
        contacts.score_change(change["contactId"], change["score"], change["classification"])
        views = await self.get_state(ViewsState)
        views.score_change(change["contactId"], change["score"])
