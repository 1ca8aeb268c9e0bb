"""Shared live subscriptions: the work of one score change done once per distinct subscription.

Websocket subscribers with the same document, operation, variables and role form a group. The
group reads the hub once, filters each event once, executes the selection once (with loaders
shared by every group for that event, so that `contact { email }` is one batched lookup),
serialises once and hands the same payload to each member's bounded queue; only the frame around
it (the member's operation id) differs. Each member's own operation task sends its frames, so a
slow socket holds up nobody else: its oldest frames are dropped, as the hub does.
"""

import asyncio
import contextvars
import json
import logging
from collections import deque
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
from api.live import QUEUE_SIZE, LiveHub, ScoreEvent
from graphql_schema.core.context import Context, Loaders

log = logging.getLogger(__name__)
Send = Callable[[str], Awaitable[None]]
# What one event is to a group: the root value of its selection, or None (filtered out).
Root = Callable[[ScoreEvent, Loaders], Awaitable[object | None]]
Key = tuple[str, str | None, str, str]
# Members handed an event before the group lets the event loop run.
CHUNK = 64


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
    send: Send


sharing: ContextVar[Sharing | None] = ContextVar("live_sharing", default=None)


class Member:
    """One subscriber: its frames waiting to be sent (the newest QUEUE_SIZE)."""

    __slots__ = ("ended", "head", "payloads", "wake")

    def __init__(self, operation_id: str) -> None:
        self.head = '{"id":' + json.dumps(operation_id) + ',"type":"next","payload":'
        self.payloads: deque[str] = deque(maxlen=QUEUE_SIZE)
        self.wake = asyncio.Event()
        self.ended = False

    def put(self, payload: str) -> bool:
        """False when the oldest waiting payload had to go."""
        kept = len(self.payloads) < QUEUE_SIZE
        self.payloads.append(payload)
        self.wake.set()
        return kept

    def end(self) -> None:
        self.ended = True
        self.wake.set()

    async def serve(self, send: Send) -> bool:
        """Send frames until the group ends (True) or the socket fails (False)."""
        while True:
            while not self.payloads:
                if self.ended:
                    return True
                self.wake.clear()
                await self.wake.wait()
            try:
                await send(self.head + self.payloads.popleft() + "}")
            except Exception:  # closed mid-send: the handler's shutdown cancels us
                return False


class Group:
    def __init__(self, registry: "Registry", key: Key, plan: "Plan") -> None:
        self.registry = registry
        self.key = key
        self.plan = plan
        self.members: set[Member] = set()
        self.queue = registry.hub.listen(0)
        # A clean context: the first member's request is not this task's.
        self.task = asyncio.create_task(
            self._run(), name="live-group", context=contextvars.Context()
        )

    def add(self, member: Member) -> None:
        self.members.add(member)
        self.registry.hub.subscribers[self.queue] = len(self.members)

    def discard(self, member: Member) -> None:
        self.members.discard(member)
        if self.members:
            self.registry.hub.subscribers[self.queue] = len(self.members)
        else:
            self.close()

    def close(self) -> None:
        self.task.cancel()
        self.registry.hub.unlisten(self.queue)
        if self.registry.groups.get(self.key) is self:
            del self.registry.groups[self.key]

    async def _run(self) -> None:
        try:
            while True:
                event = await self.queue.get()
                payload = await self.plan.payload(self.registry, event)
                if payload is not None:
                    await self._deliver(payload)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # as today: the error in a payload, then `complete`
            if isinstance(error, GraphQLError):
                failure = error
            else:
                failure = GraphQLError(str(error), original_error=error)
            errors = self.registry.schema.answered([failure])
            await self._deliver(json.dumps({"data": None, "errors": [e.formatted for e in errors]}))
            for member in self.members:
                member.end()
            self.close()

    async def _deliver(self, payload: str) -> None:
        """To every member, CHUNK at a time: between two chunks the event loop serves others
        (the members' sends run then), so that a thousand deliveries never starve a write."""
        for count, member in enumerate(list(self.members), 1):
            if not member.put(payload):
                self.registry.hub.dropped += 1
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

    async def payload(self, registry: "Registry", event: ScoreEvent) -> str | None:
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
        return json.dumps(answer)


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

    async def serve(self, share: Sharing, info: GraphQLResolveInfo[Any], root: Root) -> None:
        """Join the group of this operation and send its frames until the group ends; a socket
        that failed waits here for its handler to cancel the operation."""
        principal = info.context.principal
        assert principal is not None  # the websocket was authenticated on connecting
        document = DocumentNode(definitions=(info.operation, *info.fragments.values()))
        name = info.operation.name.value if info.operation.name else None
        variables = json.dumps(share.variables or {}, sort_keys=True, default=str)
        key = (print_ast(document), name, variables, principal.role.value)
        group = self.groups.get(key)
        if group is None:
            context = Context(self.store, self.hub, self.tasks, Principal("live", principal.role))
            plan = Plan(document, name, share.variables, context, root)
            group = self.groups[key] = Group(self, key, plan)
        member = Member(share.operation_id)
        group.add(member)
        try:
            ended = await member.serve(share.send)
        finally:
            group.discard(member)
        if not ended:
            await asyncio.Event().wait()
