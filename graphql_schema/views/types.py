"""Score-based views as clients see them: definition, contacts and report."""

import base64
from datetime import UTC, date, datetime

import strawberry

from api.domain.views import (
    PeriodKind,
    ScoreCondition,
    ScoreConditionKind,
    ScoreView,
    ScoringPeriod,
)
from api.downloads import summary_pdf_path
from api.services.errors import ServiceFailure
from api.services.summaries import render_summary_pdf
from api.services.views import ViewSelection
from graphql_schema.contacts.types import Contact, ContactConnection, ContactEdge
from graphql_schema.core.context import Info
from graphql_schema.core.errors import refusal
from graphql_schema.core.pagination import PageInfo, decode_cursor, encode_cursor, page_size
from graphql_schema.http.guard import Expensive
from graphql_schema.notifications.types import ViewNotificationType
from graphql_schema.rules.types import FieldConditionType

ScoreConditionKindEnum = strawberry.enum(ScoreConditionKind, name="ScoreConditionKind")
PeriodKindEnum = strawberry.enum(PeriodKind, name="ScoringPeriodKind")
CURSOR_KIND = "view-score"


@strawberry.type(
    name="ScoreCondition",
    description="AT_LEAST min, AT_MOST max, or BETWEEN min and max (inclusive)",
)
class ScoreConditionType:
    kind: ScoreConditionKind
    min: int | None
    max: int | None


@strawberry.type(
    name="ScoringPeriod",
    description="Which points count: the total score, or points earned in a window",
)
class ScoringPeriodType:
    kind: PeriodKind
    days: int | None = strawberry.field(description="LAST_DAYS: how many days back")
    start: date | None = strawberry.field(description="DATE_RANGE: first day (UTC)")
    end: date | None = strawberry.field(description="DATE_RANGE: last day, included (UTC)")


@strawberry.type
class SummaryPdf:
    filename: str
    base64: str = strawberry.field(description="The PDF file, base64-encoded")


@strawberry.type
class ReportCount:
    name: str
    count: int


@strawberry.type(name="ViewReport")
class ViewReportType:
    total: int
    by_mailing_list: list[ReportCount]
    by_country: list[ReportCount]


@strawberry.type(
    name="ScoreView", description="A saved segment of contacts by score, period, fields and lists"
)
class ScoreViewType:
    id: strawberry.ID
    name: str
    score_condition: ScoreConditionType
    period: ScoringPeriodType
    criteria: list[FieldConditionType] = strawberry.field(description="At most 2, all must hold")
    mailing_lists: list[str] = strawberry.field(description="In any of these lists; none: all")
    record: strawberry.Private[ScoreView]

    @classmethod
    def of(cls, view: ScoreView) -> "ScoreViewType":
        condition, period = view.condition, view.period
        return cls(
            id=strawberry.ID(view.id),
            name=view.name,
            score_condition=ScoreConditionType(
                kind=condition.kind, min=condition.min, max=condition.max
            ),
            period=ScoringPeriodType(
                kind=period.kind, days=period.days, start=period.start, end=period.end
            ),
            criteria=[FieldConditionType.of(c) for c in view.criteria],
            mailing_lists=list(view.mailing_lists),
            record=view,
        )

    @strawberry.field(description="Contacts in the view, highest score first")
    async def contacts(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> ContactConnection | None:
        after_key = None
        if after:
            score, last_id = decode_cursor(CURSOR_KIND, after, int, str)
            after_key = (score, last_id)
        selection = await _selection(info, self.record)
        records, has_next = await selection.page(page_size(first), after_key)
        edges = [
            ContactEdge(cursor=encode_cursor(CURSOR_KIND, [r.score, r.id]), node=Contact.of(r))
            for r in records
        ]
        return ContactConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=has_next, end_cursor=edges[-1].cursor if edges else None
            ),
            counter=selection.count,
        )

    @strawberry.field(description="Its periodic summary email; null until one is set")
    async def notification(self, info: Info) -> ViewNotificationType | None:
        found = await info.context.loaders.notifications.load(self.record.id)
        return ViewNotificationType.of(self.record, found) if found else None

    @strawberry.field(description="Where to GET its PDF summary (bearer token, viewer role)")
    def summary_pdf_path(self) -> str:
        return summary_pdf_path(self.record.id)

    @strawberry.field(
        description="Its PDF summary, made now (the same as at summaryPdfPath)",
        extensions=[Expensive()],
    )
    async def summary_pdf(self, info: Info) -> SummaryPdf | None:
        try:
            name, pdf = await render_summary_pdf(info.context.store, self.record, datetime.now(UTC))
        except ServiceFailure as failure:
            raise refusal(failure) from None
        return SummaryPdf(filename=name, base64=base64.b64encode(pdf).decode())

    @strawberry.field(
        description="How many contacts, per mailing list and per country",
        extensions=[Expensive()],
    )
    async def report(self, info: Info) -> ViewReportType | None:
        report = await (await _selection(info, self.record)).report()
        return ViewReportType(
            total=report.total,
            by_mailing_list=[ReportCount(name=n, count=c) for n, c in report.by_mailing_list],
            by_country=[ReportCount(name=n, count=c) for n, c in report.by_country],
        )


async def _selection(info: Info, view: ScoreView) -> ViewSelection:
    """The view's contacts; a view that cannot be computed fails on its own fields only."""
    try:
        return await info.context.loaders.selections.load(view)
    except ServiceFailure as failure:
        raise refusal(failure) from None


@strawberry.input
class ScoreConditionInput:
    kind: ScoreConditionKind
    min: int | None = None
    max: int | None = None

    def record(self) -> ScoreCondition:
        return ScoreCondition(self.kind, self.min, self.max)


@strawberry.input
class ScoringPeriodInput:
    kind: PeriodKind = PeriodKind.ALL_TIME
    days: int | None = None
    start: date | None = None
    end: date | None = None

    def record(self) -> ScoringPeriod:
        return ScoringPeriod(self.kind, self.days, self.start, self.end)
