"""The ASGI application, composed from a store and a live hub.

`create_app(uri, database)` builds it (tests, `python -m api`); `api.app:app` is the same app with
every setting from the environment, for `uvicorn api.app:app --workers N`, gunicorn's uvicorn
worker or any process manager. It is built when first looked up, not at import, and connects to
the database only in its lifespan.
"""

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route, WebSocketRoute

from api.collector import Settler, tune_collector, watch_pauses
from api.config import Settings
from api.cors import Origins, allowed_origins
from api.db.client import Listeners, Store
from api.db.faults import Unreachable
from api.downloads import SUMMARY_PDF_PATH, view_summary_pdf
from api.embedded import embedded_uri
from api.jobs.tasks import Tasks
from api.limits import HttpLimits, RejectedTokens, error_response
from api.live import LiveHub
from api.memory import tune_allocator
from api.observability.logs import configure_logging
from api.observability.metrics import Metrics
from api.observability.observed import Observed
from api.observability.probes import probe_routes
from api.observability.settings import ObserveSettings
from api.ratelimit import RateLimiter
from api.services.errors import UNREACHABLE
from api.services.expiry import expire_periodically
from api.services.field_rule_sync import resume_abandoned_field_rule_syncs
from api.services.notifications import notify_periodically
from api.services.rescore_job import resume_abandoned_rescores
from api.services.reset_job import resume_abandoned_resets
from api.services.score_counts import FOLD_EVERY, fold_periodically
from api.services.view_counts import maintain_periodically
from api.token_watch import TokenWatch
from api.wire import keep_raw_send
from graphql_schema.http.endpoint import GraphQLView


def create_app(
    mongodb_uri: str,
    database: str,
    expiry_interval: float | None = None,
    notify_interval: float | None = None,
    settings: Settings | None = None,
    event_listeners: Listeners = (),
) -> Starlette:
    """The app. The seconds between point-expiry runs and between sends of due view emails
    default to SCORING_EXPIRY_INTERVAL and SCORING_NOTIFY_INTERVAL, else 60; the other settings
    (GraphiQL, rate limits) come from `settings`, else the environment; `event_listeners` see
    every database command (tests count them)."""
    store = Store(mongodb_uri, database, event_listeners)
    defaults = settings or Settings.from_env()
    expiry_every = expiry_interval or defaults.expiry_interval
    notify_every = notify_interval or defaults.notify_interval
    hub = LiveHub(store, max_replay=defaults.live_replay_max)
    tasks = Tasks()
    rejected_tokens = RejectedTokens()
    rate_limiter = RateLimiter(defaults.rate_limit, defaults.rate_burst)
    token_watch = TokenWatch(store)
    graphql = GraphQLView(
        store,
        hub,
        tasks,
        rejected_tokens,
        token_watch,
        graphiql=defaults.graphiql,
        shared_live=defaults.live_shared,
    )
    origins = allowed_origins()
    # The endpoint's own websocket origin check lets the same pages in as the Origins middleware.
    graphql.allowed_origins = frozenset(origins)
    observe = ObserveSettings.from_env()
    metrics = Metrics(store, hub, observe.shared_dir) if observe.metrics else None

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await store.ensure_indexes()
        await hub.start()
        tasks.spawn(resume_abandoned_resets(store), name="reset-watcher")
        tasks.spawn(resume_abandoned_rescores(store), name="rescore-watcher")
        tasks.spawn(resume_abandoned_field_rule_syncs(store), name="field-rule-sync-watcher")
        tasks.spawn(expire_periodically(store, expiry_every), name="point-expiry")
        tasks.spawn(fold_periodically(store, FOLD_EVERY), name="histogram-fold")
        tasks.spawn(notify_periodically(store, notify_every), name="view-notifications")
        tasks.spawn(maintain_periodically(store), name="view-counts")
        tasks.spawn(token_watch.run(), name="token-watch")
        if metrics is not None and metrics.shared is not None:
            tasks.spawn(metrics.sync_periodically(), name="metrics-sync")
        if defaults.gc_tuning:
            tune_collector()
            tasks.spawn(Settler().run(), name="gc-settle")
        watch_pauses()
        try:
            yield
        finally:
            await tasks.stop()
            await hub.stop()
            store.close()
            if metrics is not None:
                metrics.close()

    async def unreachable(request: Request, error: Exception) -> JSONResponse:
        """Before a resolver runs (the token check): 503, in GraphQL's shape."""
        return error_response(503, UNREACHABLE.message, UNREACHABLE.code, {"Retry-After": "2"})

    async def home(request: Request) -> RedirectResponse:
        return RedirectResponse("/graphql")

    app = Starlette(
        routes=[
            Route("/", home),
            *probe_routes(store, hub, metrics, observe.metrics_token),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route(SUMMARY_PDF_PATH, view_summary_pdf, methods=["GET"]),
        ],
        lifespan=lifespan,
        middleware=[
            Middleware(Origins, origins=origins),
            Middleware(
                HttpLimits,
                limiter=rate_limiter,
                rejected=rejected_tokens,
            ),
        ],
        exception_handlers={Unreachable: unreachable},
    )
    # Outermost, around Starlette's own error handler too: every answer (a 500, a refusal by
    # any middleware) carries the request id and is logged and counted once.
    # Around that, a websocket's scope keeps the server's own send for live frames (api/wire.py).
    app.middleware_stack = keep_raw_send(
        Observed(app.build_middleware_stack(), metrics=metrics, access_log=observe.access_log)
    )
    app.state.store = store
    app.state.hub = hub
    app.state.tasks = tasks
    app.state.rejected_tokens = rejected_tokens
    app.state.token_watch = token_watch
    app.state.rate_limiter = rate_limiter
    app.state.metrics = metrics
    app.state.live_groups = graphql.shared
    return app


def create_app_from_env() -> Starlette:
    """The app with every setting from the environment (`uvicorn --factory
    api.app:create_app_from_env`). Without MONGODB_URI it uses the embedded database on
    SCORING_EMBEDDED_PORT, which it does not start: `python -m api` starts it once for all its
    workers. Raises SettingsError."""
    settings = Settings.from_env()
    uri = settings.mongodb_uri or embedded_uri(settings.embedded_port)
    return create_app(uri, settings.database, settings=settings)


@functools.cache
def _app_from_env() -> Starlette:
    tune_allocator()
    # A worker process (or an outside uvicorn) logs as `python -m api` does.
    configure_logging(ObserveSettings.from_env().json_logs)
    return create_app_from_env()


def __getattr__(name: str) -> Starlette:
    """`api.app:app`: built from the environment when first looked up (PEP 562)."""
    if name == "app":
        return _app_from_env()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
