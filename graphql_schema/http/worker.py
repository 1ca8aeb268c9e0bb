"""One worker thread for the CPU-heavy part of large requests (decoding, parsing, validating):
the event loop keeps serving other clients meanwhile, and however many large requests arrive at
once, they take turns in this one thread instead of all contending with the event loop."""

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="graphql-worker")


async def off_loop(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_worker, lambda: function(*args, **kwargs))
