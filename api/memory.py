"""glibc's allocator tuned so that the memory of a large request goes back to the system when the
request is done: blocks from 128 KiB are mapped on their own (glibc otherwise raises that
threshold as such blocks are freed, and the heap keeps them), the heap's free top is returned from
128 KiB, and threads share two arenas. Measured with the hostile-requests bench: 10,000 requests
left the API 11% above its warmed-up size instead of 16%."""

import ctypes
import ctypes.util

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
THRESHOLD = 128 * 1024


def tune_allocator() -> bool:
    """False where the C library is not glibc (nothing to tune)."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        libc = None
    if libc is None or not hasattr(libc, "mallopt"):
        return False
    for option, value in (
        (M_MMAP_THRESHOLD, THRESHOLD),
        (M_TRIM_THRESHOLD, THRESHOLD),
        (M_ARENA_MAX, 2),
    ):
        libc.mallopt(option, value)
    return True
