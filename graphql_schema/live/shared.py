"""Shared live subscriptions: the work of one score change done once per distinct subscription.

Websocket subscribers with the same document, operation, variables and role form a group. The
group reads the hub once, filters each event once, executes the selection once (with loaders
shared by every group for that event, so that `contact { email }` is one batched lookup),
serialises once and hands the same payload to each member's bounded queue; only the frame around
it (the member's operation id) differs. A frame goes straight to a socket that takes it; frames
that must wait are sent by a task of the member's own, so a slow socket holds up nobody else: when
its queue is full it takes no more, sends what it holds, then tells its subscriber that it fell
behind and where to resume (`FELL_BEHIND`).

An idle subscriber costs its member and its connection only: once it has joined, its
operation's task ends (`Detached`) and the websocket handler keeps the member
(graphql_schema/http/endpoint.py); Strawberry's execution of the operation, kept alive for the
whole subscription otherwise, was a third of the API's memory per idle subscriber.

A member that resumes after a cursor joins its group holding (its queue collects the group's
frames unsent), is replayed the changes after its cursor from the ledger, executed by the
group's plan, and then sends the held frames committed after the last one replayed.
"""

import asyncio
import contextvars
import json
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLResolveInfo,
    GraphQLSchema,
    execute,
    print_ast,
)

from api.db.client import Store
from api.domain.access import Principal
from api.jobs.tasks import Tasks
from api.live import (
    QUEUE_SIZE,
    CursorExpired,
    CursorInvalid,
    FellBehind,
    LiveHub,
    ScoreEvent,
    StreamInterrupted,
    committed_by,
)
from api.wire import Wire
from graphql_schema.core.context import Context, Loaders
from graphql_schema.live.gaps import as_payload, fell_behind_payload, replay_refused

log = logging.getLogger(__name__)
# What one event is to a group: the root value of its selection, or None (filtered out).
Root = Callable[[ScoreEvent, Loaders], Awaitable[object | None]]
Key = tuple[str, str | None, str, str]
# Members handed an event before the group lets the event loop run.
CHUNK = 64
# Events a group may have waiting: all its members would resume at once if it fell behind, so it
# gets room for a burst (a bulk import) that a single subscriber's queue does not.
GROUP_INBOX = 4096


class LiveSchema(Protocol):
    @property
    def _schema(self) -> GraphQLSchema: ...

    def answered(self, errors: list[GraphQLError]) -> list[GraphQLError]: ...


@dataclass(frozen=True)
class Sharing:
    """Set by the websocket handler in one operation's task: where that operation may join."""

    registry: "Registry"
    operation_id: str
    variables: dict[str, Any] | None
    wire: Wire
    # Takes a member that joined its group over for the rest of the subscription.
    adopt: Callable[["Member"], None]


sharing: ContextVar[Sharing | None] = ContextVar("live_sharing", default=None)


class Detached(asyncio.CancelledError):
    """Raised in an operation's task once its member is in its group: the task ends as a
    cancelled one does (every layer of Strawberry and graphql-core lets go of the operation's
    execution), while the member stays, fed by its group. The websocket handler catches it."""


class Member:
    """One subscriber. A frame goes straight to its socket (api/wire.py) when nothing of it is
    waiting; else it waits here (at most QUEUE_SIZE, each with its cursor) for a task of its own,
    started for as long as frames wait, which sends them in order (then `FELL_BEHIND`, or the end
    of the stream, and `done`). Frames committed no later than its `floor` (replayed already) are
    left out: its group may deliver them after the replay read them."""

    __slots__ = (
        "behind",
        "done",
        "ended",
        "floor",
        "group",
        "head",
        "holding",
        "last",
        "payloads",
        "sending",
        "wire",
    )

    def __init__(self, operation_id: str, last: str | None, wire: Wire) -> None:
        self.head = ('{"id":' + json.dumps(operation_id) + ',"type":"next","payload":').encode()
        self.wire = wire
        # A list, not a deque: an empty deque is 600 bytes, and most members never queue.
        self.payloads: list[tuple[str, bytes]] = []
        self.ended = False
        # Full once: takes no more, and tells its subscriber after sending what it holds.
        self.behind = False
        # Collecting frames unsent while its replay runs.
        self.holding = False
        # Its task sending the frames that wait (later ones wait behind them).
        self.sending: asyncio.Task[bool] | None = None
        # The cursor to resume after: the last change sent or replayed (or the one it started at).
        self.last = last
        self.floor: str | None = None
        self.group: Group | None = None
        # Once its websocket handler has taken it over: tells its subscriber the stream is over.
        self.done: Callable[[], Awaitable[None]] | None = None

    def put(self, cursor: str, payload: bytes) -> bool:
        """False when it is full (or was already)."""
        if self.floor is not None and committed_by(cursor, self.floor):
            return True
        if self.behind or len(self.payloads) >= QUEUE_SIZE:
            self.fall_behind()
            return False
        if (
            not self.payloads
            and not self.holding
            and self.sending is None
            and self.wire.write(self.frame(payload))
        ):
            self.last = cursor
            return True
        self.payloads.append((cursor, payload))
        self.kick()
        return True

    def frame(self, payload: bytes) -> tuple[bytes, ...]:
        return (self.head, payload, b"}")

    def fall_behind(self) -> None:
        self.behind = True
        self.kick()

    def end(self) -> None:
        self.ended = True
        self.kick()

    def kick(self) -> None:
        """Its task started when something waits to be sent (once it was taken over)."""
        if self.done is None or self.holding or self.sending is not None:
            return
        if self.payloads or self.behind or self.ended:
            self.sending = asyncio.create_task(self.serve(), name="live-member")

    def leave(self) -> None:
        """Out of its group, its sending stopped: the subscriber completed or went away."""
        if self.group is not None:
            self.group.discard(self)
            self.group = None
        self.done = None  # nothing more to tell (and no cycle left through its handler)
        if self.sending is not None and self.sending is not asyncio.current_task():
            self.sending.cancel()

    def hold(self, last: str) -> None:
        self.holding, self.behind, self.last, self.floor = True, False, last, last
        self.payloads.clear()

    def release(self) -> bool:
        """Stop holding: keep the frames committed after the last one replayed. False when the
        queue filled up meanwhile (the replay goes on from `last`)."""
        if self.behind:
            return False
        assert self.last is not None
        self.floor = last = self.last
        self.payloads = [p for p in self.payloads if not committed_by(p[0], last)]
        self.holding = False
        self.kick()
        return True

    def passed(self, cursor: str) -> None:
        """The group left out the change at `cursor`: resume after it, unless frames before it
        are still to be sent (or it was replayed already)."""
        if self.holding or self.payloads or self.sending is not None:
            return
        if self.last is None or not committed_by(cursor, self.last):
            self.last = cursor

    async def serve(self) -> bool:
        """Send the frames that wait, in order. True once the stream is over for it (its group
        ended, or it fell behind and was told where to resume): out of its group, and `done`
        told; False when nothing more waits for now, or the socket failed (it leaves its group:
        its handler's shutdown follows)."""
        try:
            while self.payloads:
                cursor, payload = self.payloads.pop(0)
                await self.wire.send(self.frame(payload))
                self.last = cursor
            if self.behind:
                await self.wire.send(self.frame(fell_behind_payload(self.last).encode()))
            elif not self.ended:
                return False
        except Exception:  # closed mid-send
            self.leave()
            return False
        finally:
            if self.sending is asyncio.current_task():
                self.sending = None
        done = self.done
        self.leave()
        if done is not None:
            await done()
        return True


class Group:
    def __init__(self, registry: "Registry", key: Key, plan: "Plan") -> None:
        self.registry = registry
        self.key = key
        self.plan = plan
        self.members: set[Member] = set()
        # Gone (fell behind, failed, or no members left): it delivers nothing more.
        self.closed = False
        self.inbox = registry.hub.listen(0, GROUP_INBOX)
        # A clean context: the first member's request is not this task's.
        self.task = asyncio.create_task(
            self._run(), name="live-group", context=contextvars.Context()
        )

    def add(self, member: Member) -> None:
        if member.last is None:  # it missed nothing before the group's next event
            member.last = self.inbox.last
        self.members.add(member)
        member.group = self
        self.registry.hub.subscribers[self.inbox] = len(self.members)

    def discard(self, member: Member) -> None:
        self.members.discard(member)
        if self.members:
            self.registry.hub.subscribers[self.inbox] = len(self.members)
        else:
            self.close()

    def close(self) -> None:
        self.closed = True
        self.task.cancel()
        self.registry.hub.unlisten(self.inbox)
        if self.registry.groups.get(self.key) is self:
            del self.registry.groups[self.key]

    async def _run(self) -> None:
        try:
            while True:
                event = await self.inbox.get()
                payload = await self.plan.payload(self.registry, event)
                if payload is not None:
                    await self._deliver(event.cursor, payload)
                else:
                    for member in self.members:
                        member.passed(event.cursor)
        except asyncio.CancelledError:
            raise
        except FellBehind:  # too slow for the hub: every member resumes on its own
            self.close()
            for member in self.members:
                member.fall_behind()
        except Exception as error:  # as today: the error in a payload, then `complete`
            if isinstance(error, GraphQLError):
                failure = error
            else:
                failure = GraphQLError(str(error), original_error=error)
            errors = self.registry.schema.answered([failure])
            payload = json.dumps({"data": None, "errors": [e.formatted for e in errors]}).encode()
            await self._deliver(self.inbox.last or "", payload)
            for member in self.members:
                member.end()
            self.close()

    async def _deliver(self, cursor: str, payload: bytes) -> None:
        """To every member, CHUNK at a time: between two chunks the event loop serves others
        (the members' sends run then), so that a thousand deliveries never starve a write."""
        for count, member in enumerate(list(self.members), 1):
            if not member.behind and not member.put(cursor, payload):
                self.registry.hub.fell_behind += 1
            if count % CHUNK == 0:
                await asyncio.sleep(0)


@dataclass
class Plan:
    """What a group executes: the selection, and the subscription's filter as its root."""

    document: DocumentNode
    operation_name: str | None
    variables: dict[str, Any] | None
    context: Context
    root: Root

    async def payload(self, registry: "Registry", event: ScoreEvent) -> bytes | None:
        loaders = registry.loaders_for(event)
        root = await self.root(event, loaders)
        if root is None:
            return None
        self.context.loaders = loaders
        registry.executions += 1
        result = execute(
            registry.schema._schema,
            self.document,
            root_value=root,
            context_value=self.context,
            variable_values=self.variables,
            operation_name=self.operation_name,
        )
        if not isinstance(result, ExecutionResult):
            result = await result
        answer: dict[str, object] = {"data": result.data}
        if result.errors:
            answer["errors"] = [e.formatted for e in registry.schema.answered(result.errors)]
        return json.dumps(answer).encode()


class Registry:
    """The groups of one process, by (document, operation, variables, role)."""

    def __init__(self, schema: LiveSchema, store: Store, hub: LiveHub, tasks: Tasks) -> None:
        self.schema = schema
        self.store = store
        self.hub = hub
        self.tasks = tasks
        self.groups: dict[Key, Group] = {}
        # Selections executed (tests count them).
        self.executions = 0
        self._event: ScoreEvent | None = None
        self._loaders = Loaders(store)

    def loaders_for(self, event: ScoreEvent) -> Loaders:
        """One set of loaders per event, for every group: their lookups are batched together."""
        if event is not self._event:
            self._event, self._loaders = event, Loaders(self.store)
        return self._loaders

    async def serve(
        self, share: Sharing, info: GraphQLResolveInfo[Any], root: Root, after: str | None
    ) -> None:
        """Join the group of this operation (replayed the changes after `after` first), hand the
        member to the websocket handler (`share.adopt`) and raise Detached: the operation's
        task ends, and the group feeds the member until it completes or its socket goes. Returns
        (the stream is over) only when the replay was refused."""
        principal = info.context.principal
        assert principal is not None  # the websocket was authenticated on connecting
        document = DocumentNode(definitions=(info.operation, *info.fragments.values()))
        name = info.operation.name.value if info.operation.name else None
        shared_variables = {k: v for k, v in (share.variables or {}).items() if k != "after"}
        variables = json.dumps(shared_variables, sort_keys=True, default=str)
        key = (print_ast(document), name, variables, principal.role.value)
        group = self.groups.get(key)
        if group is None:
            context = Context(self.store, self.hub, self.tasks, Principal("live", principal.role))
            plan = Plan(document, name, share.variables, context, root)
            group = self.groups[key] = Group(self, key, plan)
        member = Member(share.operation_id, after, share.wire)
        if after is not None:
            member.hold(after)
        group.add(member)
        try:
            if after is not None:
                try:
                    await self._catch_up(group, member)
                except (CursorExpired, CursorInvalid, StreamInterrupted) as error:
                    refused = as_payload(replay_refused(error)).encode()
                    await share.wire.send(member.frame(refused))
                    member.leave()
                    return
            share.adopt(member)
        except BaseException:
            member.leave()
            raise
        member.kick()  # what its group gave it meanwhile
        raise Detached

    async def _catch_up(self, group: Group, member: Member) -> None:
        """Send the member the changes after its cursor, executed by its group's plan, until it
        can be released (as LiveHub.caught_up does for an inbox)."""
        assert member.last is not None
        while True:
            cursor = member.last
            async for event in self.hub.replay(cursor):
                payload = await group.plan.payload(self, event)
                if payload is not None:
                    await member.wire.send(member.frame(payload))
                cursor = event.cursor
            member.last = cursor
            if member.release():
                return
            if group.closed:  # it fell behind for good: so did the member, after its replay
                member.holding = False
                member.payloads.clear()
                return
            member.hold(cursor)
