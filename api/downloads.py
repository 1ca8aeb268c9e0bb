"""Downloads beside GraphQL, authenticated with the same bearer tokens: a view's PDF summary."""

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from api.db.client import Store
from api.domain.access import Role
from api.limits import BUSY, RejectedTokens, error_response, expensive_in_flight, rate_key
from api.services.access import AUTH_REQUIRED, TOKEN_REJECTED, bearer_token
from api.services.errors import ErrorCode, ServiceFailure
from api.services.summaries import render_summary_pdf

SUMMARY_PDF_PATH = "/views/{view_id}/summary.pdf"


def summary_pdf_path(view_id: str) -> str:
    return SUMMARY_PDF_PATH.format(view_id=view_id)


async def _refusal(store: Store, request: Request, needed: Role) -> Response | str:
    """A 401 or 403 response, or the token's key in the limits when it may read."""
    token = bearer_token(request.headers.get("authorization"))
    rejected: RejectedTokens = request.app.state.rejected_tokens
    principal = await rejected.authenticate(store, token, request.scope) if token else None
    if token is None or principal is None:
        message = TOKEN_REJECTED if token else AUTH_REQUIRED
        return PlainTextResponse(message, 401, headers={"WWW-Authenticate": "Bearer"})
    if not principal.can(needed):
        return PlainTextResponse(f"This needs the {needed.value.lower()} role", 403)
    return rate_key(token)


async def view_summary_pdf(request: Request) -> Response:
    store: Store = request.app.state.store
    key = await _refusal(store, request, Role.VIEWER)
    if isinstance(key, Response):
        return key
    view_id = request.path_params["view_id"]
    view = await store.views.get(view_id)
    if view is None:
        return PlainTextResponse(f"No view with id {view_id}", 404)
    if not expensive_in_flight.acquire(key):
        return error_response(429, BUSY, ErrorCode.LIMIT_EXCEEDED, {"Retry-After": "1"})
    try:
        filename, pdf = await render_summary_pdf(store, view, datetime.now(UTC))
    except ServiceFailure as failure:
        return PlainTextResponse(str(failure), 422)
    finally:
        expensive_in_flight.release(key)
    disposition = f'attachment; filename="{filename}"'
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})
