"""The ASGI application, composed from a store and a live hub."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route, WebSocketRoute

from api.db.client import Store
from api.downloads import SUMMARY_PDF_PATH, view_summary_pdf
from api.jobs import Jobs
from api.live import LiveHub
from api.services.expiry import expire_periodically
from api.services.notifications import notify_periodically
from api.services.rescores import resume_abandoned_rescores
from api.services.resets import resume_abandoned_resets
from api.settings import Settings
from graphql_schema.view import GraphQLView


def create_app(mongodb_uri: str, database: str, expiry_interval: float | None = None) -> Starlette:
    """The app; `expiry_interval` (seconds between point-expiry runs) defaults to the
    SCORING_EXPIRY_INTERVAL environment variable, else 60; due view emails go out every
    SCORING_NOTIFY_INTERVAL seconds (default 60)."""
    store = Store(mongodb_uri, database)
    settings = Settings.from_env()
    interval = expiry_interval or settings.expiry_interval
    hub = LiveHub(store)
    jobs = Jobs()
    graphql = GraphQLView(store, hub, jobs)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await store.ensure_indexes()
        await hub.start()
        jobs.spawn(resume_abandoned_resets(store), name="reset-watcher")
        jobs.spawn(resume_abandoned_rescores(store), name="rescore-watcher")
        jobs.spawn(expire_periodically(store, interval), name="point-expiry")
        jobs.spawn(notify_periodically(store, settings.notify_interval), name="view-notifications")
        try:
            yield
        finally:
            await jobs.stop()
            await hub.stop()
            store.close()

    async def health(request: Request) -> JSONResponse:
        await store.ping()
        return JSONResponse(
            {"ok": True, "live": hub.ready.is_set(), "subscribers": len(hub.subscribers)}
        )

    async def home(request: Request) -> RedirectResponse:
        return RedirectResponse("/graphql")

    app = Starlette(
        routes=[
            Route("/", home),
            Route("/health", health),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route(SUMMARY_PDF_PATH, view_summary_pdf, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.hub = hub
    app.state.jobs = jobs
    return app
