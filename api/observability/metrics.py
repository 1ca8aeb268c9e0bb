"""Prometheus metrics of one API process, in a registry of its own (one per app).

Labels are bounded: an operation is a root field of the schema or "other", a route one of a
fixed few, an error code one of ErrorCode's or "OTHER"; no token name, email or id is a label.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from api.collector import pauses
from api.db.client import Store
from api.live import LiveHub
from api.mailer import deliveries
from api.services.errors import ErrorCode
from api.writes.commit import commit_stats

CODES = frozenset(code.value for code in ErrorCode) | {"INTERNAL", "GRAPHQL_ERROR"}
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
LAG_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


@dataclass(frozen=True)
class JobProgress:
    kind: str
    done: int
    total: int


class Snapshot(Collector):
    """Values read when scraped: the live hub, process-wide counters, and running jobs."""

    def __init__(self, hub: LiveHub) -> None:
        self.hub = hub
        self.jobs: list[JobProgress] = []

    def collect(self) -> Iterable[Metric]:
        yield GaugeMetricFamily(
            "scoring_live_subscribers", "scoreChanged subscribers", value=self.hub.subscriber_count
        )
        yield GaugeMetricFamily(
            "scoring_live_stream_up",
            "1 while the change stream runs",
            value=1 if self.hub.ready.is_set() else 0,
        )
        yield CounterMetricFamily(
            "scoring_live_events_dropped",
            "Score events dropped for slow subscribers (their oldest)",
            value=self.hub.dropped,
        )
        yield CounterMetricFamily(
            "scoring_commit_retries",
            "Commits planned again after contention or a lost connection",
            value=commit_stats.retries,
        )
        yield CounterMetricFamily("scoring_emails_sent", "Emails delivered", value=deliveries.sent)
        yield CounterMetricFamily(
            "scoring_emails_failed", "Emails the server did not take", value=deliveries.failed
        )
        yield from _collector()
        done = GaugeMetricFamily(
            "scoring_job_done", "Contacts done by the running job", labels=["kind"]
        )
        total = GaugeMetricFamily(
            "scoring_job_total", "Contacts the running job walks", labels=["kind"]
        )
        for job in self.jobs:
            done.add_metric([job.kind], job.done)
            total.add_metric([job.kind], job.total)
        yield done
        yield total


def _collector() -> Iterable[Metric]:
    collections = CounterMetricFamily(
        "scoring_gc_collections", "Garbage collections, by generation", labels=["generation"]
    )
    longest = GaugeMetricFamily(
        "scoring_gc_pause_longest_seconds",
        "The longest garbage collection pause so far, by generation",
        labels=["generation"],
    )
    for generation in range(3):
        collections.add_metric([str(generation)], pauses.count[generation])
        longest.add_metric([str(generation)], pauses.longest[generation])
    yield collections
    yield longest


class Metrics:
    def __init__(self, store: Store, hub: LiveHub) -> None:
        self.store = store
        self.registry = CollectorRegistry(auto_describe=False)
        self.requests = Counter(
            "scoring_http_requests",
            "HTTP requests by operation and status",
            ["operation", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "scoring_http_request_duration_seconds",
            "HTTP request latency by operation",
            ["operation"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.websocket_operations = Counter(
            "scoring_websocket_operations",
            "Operations sent over websockets",
            ["operation"],
            registry=self.registry,
        )
        self.errors = Counter(
            "scoring_errors", "Errors answered, by code", ["code"], registry=self.registry
        )
        self.stream_lag = Histogram(
            "scoring_live_stream_lag_seconds",
            "From a ledger entry's write to its delivery by the change stream",
            buckets=LAG_BUCKETS,
            registry=self.registry,
        )
        self.snapshot = Snapshot(hub)
        self.registry.register(self.snapshot)
        hub.on_entry = self.stream_lag.observe

    def count_error(self, code: str) -> None:
        self.errors.labels(code if code in CODES else "OTHER").inc()

    def count_operation(self, operation: str) -> None:
        self.websocket_operations.labels(operation).inc()

    def count_request(self, operation: str, status: int, seconds: float) -> None:
        self.requests.labels(operation, str(status)).inc()
        self.latency.labels(operation).observe(seconds)

    async def render(self) -> bytes:
        """The exposition text; running jobs are read first (skipped when the database is down)."""
        jobs = []
        try:
            for repo in (self.store.resets, self.store.rescores, self.store.field_rule_syncs):
                job = await repo.running()
                if job is not None:
                    jobs.append(JobProgress(job.kind.value, job.done, job.total))
        except Exception:
            jobs = []
        self.snapshot.jobs = jobs
        return generate_latest(self.registry)
