"""The GraphQL endpoint: HTTP and graphql-transport-ws, with token authentication."""

import asyncio
import contextlib
import functools
import json
from typing import Any, cast

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLRequestData
from strawberry.http.parse_content_type import parse_content_type
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    SubscribeMessage,
)

from api.db.client import Store
from api.jobs.tasks import Tasks
from api.limits import RejectedTokens, error_response, rate_key
from api.live import LiveHub
from api.services.access import TOKEN_REJECTED, bearer_token, token_digest
from api.services.errors import ErrorCode
from api.token_watch import CLOSE_CODE, TokenWatch
from api.wire import Wire, cut_off
from graphql_schema.core.context import Context
from graphql_schema.http.query_limits import LimitExceeded
from graphql_schema.http.requests import (
    INLINE_BODY_BYTES,
    from_body,
    from_fields,
    from_query_string,
    loads,
)
from graphql_schema.http.worker import off_loop
from graphql_schema.live.shared import Detached, Member, Registry, Sharing, sharing
from graphql_schema.schema import schema

# Seconds a revoked token's socket is given to take its close frame before it is cut off.
CLOSE_WITHIN = 1.0
# Subscriptions one websocket may hold at once (queries and mutations sent over it count too).
MAX_SUBSCRIPTIONS_PER_CONNECTION = 20


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    watched: str | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Shared subscriptions that joined their group, by operation id (their tasks are over).
        self.members: dict[str, Member] = {}

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        """Once accepted, the connection's token is watched: revoked or expired, it is closed."""
        await super().handle_connection_init(message)
        if self.connection_init_received:
            # Cancelled by now: kept, its traceback would hold its frames for the connection's life.
            self.connection_init_timeout_task = None
        key = self.context.token_digest
        if self.connection_acknowledged and key and self.watched is None:
            self.watched = key
            cast("GraphQLView", self.view).token_watch.add(key, self.close_for)

    async def close_for(self, reason: str) -> None:
        """Closed with the reason; a socket whose client stopped reading never takes the close
        frame, so it is cut off after CLOSE_WITHIN seconds."""
        try:
            await asyncio.wait_for(
                self.websocket.close(code=CLOSE_CODE, reason=reason), CLOSE_WITHIN
            )
        except TimeoutError:
            if not cut_off(cast("ASGIWebSocketAdapter", self.websocket).ws.scope):
                raise

    async def shutdown(self) -> None:
        if self.watched is not None:
            cast("GraphQLView", self.view).token_watch.discard(self.watched, self.close_for)
        for member in self.members.values():
            member.leave()
        self.members.clear()
        await super().shutdown()

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.connection_acknowledged and message["id"] in self.members:
            reason = f"Subscriber for {message['id']} already exists"  # as Strawberry's
            await self.websocket.close(code=4409, reason=reason)
            return
        held = len(self.operations) + len(self.members)
        if self.connection_acknowledged and held >= (
            self.max_subscriptions_per_connection or held + 1
        ):
            error = LimitExceeded(
                f"At most {self.max_subscriptions_per_connection} subscriptions at once on one "
                "connection (MAX_SUBSCRIPTIONS_PER_CONNECTION): complete one, or open another "
                "connection"
            )
            await self.send_message(
                {"id": message["id"], "type": "error", "payload": [error.formatted]}
            )
            return
        await super().handle_subscribe(message)

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        """In this operation's own task: a `scoreChanged` it starts may join a shared group,
        and then the task ends (Detached) while the handler keeps its member."""
        registry = cast("GraphQLView", self.view).shared
        if registry is not None:
            socket = cast("ASGIWebSocketAdapter", self.websocket).ws
            wire = Wire(socket.scope, socket.send_text)
            adopt = functools.partial(self._adopt, operation.id)
            sharing.set(Sharing(registry, operation.id, operation.variables, wire, adopt))
        with contextlib.suppress(Detached):  # its member goes on in its group
            await super().run_operation(operation)

    def _adopt(self, operation_id: str, member: Member) -> None:
        """Its operation's task is ending: from now on the member is the operation (for
        `complete`, the limit of subscriptions, a repeated id), and the task, its context and
        Strawberry's record of it are freed."""
        if self.operations.pop(operation_id, None) is None:  # completed meanwhile
            member.leave()
            return
        self.members[operation_id] = member
        member.done = functools.partial(self._complete, operation_id)

    async def _complete(self, operation_id: str) -> None:
        """A member's stream is over (its group ended, or it fell behind): `complete`, as
        Strawberry sends when an operation's stream ends."""
        if self.members.pop(operation_id, None) is not None:
            await self.send_message({"id": operation_id, "type": "complete"})

    async def cleanup_operation(self, operation_id: str) -> None:
        """`complete` from the client, or the socket gone: a member taken over leaves too."""
        member = self.members.pop(operation_id, None)
        if member is not None:
            member.leave()
        await super().cleanup_operation(operation_id)


class GraphQLView(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = TransportWSHandler

    def __init__(
        self,
        store: Store,
        hub: LiveHub,
        tasks: Tasks,
        rejected_tokens: RejectedTokens,
        token_watch: TokenWatch,
        graphiql: bool = True,
        shared_live: bool = True,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql else None,
            subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
            keep_alive=True,
            keep_alive_interval=15,
            max_subscriptions_per_connection=MAX_SUBSCRIPTIONS_PER_CONNECTION,
        )
        self.store = store
        self.hub = hub
        self.tasks = tasks
        self.rejected_tokens = rejected_tokens
        self.token_watch = token_watch
        # Live subscriptions executed once per group (graphql_schema/live/shared.py).
        self.shared = Registry(schema, store, hub, tasks) if shared_live else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope, receive))
        except HTTPException as error:
            code = ErrorCode.LIMIT_EXCEEDED if error.status_code == 413 else ErrorCode.BAD_REQUEST
            response = error_response(error.status_code, error.reason, code)
        await response(scope, receive, send)

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        if request.method == "GET":
            return from_query_string(request.query_params)
        content_type, _ = parse_content_type(request.content_type or "")
        if "application/json" not in content_type:
            raise HTTPException(415, "Send the request as Content-Type: application/json")
        body = await request.get_body()
        if len(body) <= INLINE_BODY_BYTES:
            return from_body(body)
        return await off_loop(from_body, body)

    def decode_json(self, data: str | bytes) -> object:
        """A websocket message: a refusal here closes the socket with 4400 and the reason."""
        message = loads(data)
        if not isinstance(message, dict):
            raise json.JSONDecodeError("a message must be a JSON object", "", 0)
        if message.get("type") == "subscribe":
            try:
                from_fields(message.get("payload"))
            except HTTPException as error:
                raise json.JSONDecodeError(error.reason, "", 0) from None
        return message

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        context = Context(
            store=self.store, hub=self.hub, tasks=self.tasks, principal=None, request=request
        )
        if isinstance(request, Request):
            token = bearer_token(request.headers.get("authorization"))
            if token:
                context.principal = await self.rejected_tokens.authenticate(
                    self.store, token, request.scope
                )
                context.token_rejected = context.principal is None
        return context

    async def on_ws_connect(self, context: Context) -> dict[str, Any] | None:
        params = context.connection_params or {}
        raw = params.get("authorization") or params.get("Authorization") or params.get("token")
        if raw is None and context.request is not None:
            raw = context.request.headers.get("authorization")  # the upgrade request's
        token = bearer_token(raw) if isinstance(raw, str) else None
        if token is None:
            raise ConnectionRejectionError(
                {"message": "Send a token in connection_params or the Authorization header"}
            )
        scope = context.request.scope if context.request is not None else {}
        context.principal = await self.rejected_tokens.authenticate(self.store, token, scope)
        context.rate_key = rate_key(token)
        context.token_digest = token_digest(token)
        if context.principal is None:
            raise ConnectionRejectionError({"message": TOKEN_REJECTED})
        return {"role": context.principal.role.value}
