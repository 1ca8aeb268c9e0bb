"""The GraphQL endpoint: HTTP and graphql-transport-ws, with token authentication."""

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from api.db.client import Store
from api.jobs import Jobs
from api.live import LiveHub
from api.services.access import TOKEN_REJECTED, authenticate, bearer_token
from graphql_schema.context import Context
from graphql_schema.schema import schema


class GraphQLView(GraphQL[Context, None]):
    def __init__(self, store: Store, hub: LiveHub, jobs: Jobs) -> None:
        super().__init__(
            schema,
            subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
            keep_alive=True,
            keep_alive_interval=15,
        )
        self.store = store
        self.hub = hub
        self.jobs = jobs

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        context = Context(
            store=self.store, hub=self.hub, jobs=self.jobs, principal=None, request=request
        )
        if isinstance(request, Request):
            token = bearer_token(request.headers.get("authorization"))
            if token:
                context.principal = await authenticate(self.store, token)
                context.token_rejected = context.principal is None
        return context

    async def on_ws_connect(self, context: Context) -> dict[str, Any] | None:
        params = context.connection_params or {}
        raw = params.get("authorization") or params.get("Authorization") or params.get("token")
        token = bearer_token(raw) if isinstance(raw, str) else None
        if token is None:
            raise ConnectionRejectionError({"message": "Send a token in connection_params"})
        context.principal = await authenticate(self.store, token)
        if context.principal is None:
            raise ConnectionRejectionError({"message": TOKEN_REJECTED})
        return {"role": context.principal.role.value}
