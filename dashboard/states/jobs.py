"""Following a background job (a reset, a field-rule sync) live: its progress subscription."""

import contextlib
import logging
from collections.abc import Callable

import reflex as rx
import websockets

from dashboard.graphql_client import ApiError, subscribe
from dashboard.models import JobStep
from dashboard.states.auth import AuthState

log = logging.getLogger(__name__)


async def follow_job(
    state: rx.State, document: str, job_id: str, show: Callable[[JobStep], None]
) -> bool:
    """From a background event of `state`: `show` each step of the job, with the state locked,
    until it is done. `document` is the job's progress subscription, taking its `$id`.

    Whether it was seen done: False when the connection was lost first.
    """
    async with state:
        token = (await state.get_state(AuthState))._token()
    try:
        async with contextlib.aclosing(subscribe(document, {"id": job_id}, token)) as updates:
            async for data in updates:
                if data is None:  # subscribed
                    continue
                (job,) = data.values()
                step = JobStep.from_api(job)
                async with state:
                    show(step)
                if not step.running:
                    return True
    except (ApiError, OSError, websockets.WebSocketException):
        log.warning("lost the progress of job %s", job_id, exc_info=True)
    return False
