"""A CPU profile of the API process while measurements run (`--profile DIR`): py-spy samples it
from outside (the API runs unchanged), writes the collapsed stacks to DIR (open them in
speedscope or flamegraph.pl), and the functions where the time goes are printed."""

import re
import signal
import subprocess
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SAMPLES_PER_SECOND = 100
TOP = 12


@contextmanager
def profiled(pid: int, out_dir: Path | None, name: str) -> Iterator[None]:
    if out_dir is None:
        yield
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    stacks = out_dir / f"{name}.collapsed.txt"
    command = ["py-spy", "record", "--pid", str(pid), "--format", "raw", "--output", str(stacks)]
    # --gil: only the thread running Python code, so threads waiting on a socket do not count.
    command += ["--rate", str(SAMPLES_PER_SECOND), "--nonblocking", "--gil"]
    sampler = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield
    finally:
        sampler.send_signal(signal.SIGINT)
        _, errors = sampler.communicate(timeout=60)
        if sampler.returncode != 0 or not stacks.exists():
            print(f"profile: py-spy failed ({sampler.returncode}): {errors.decode()[-300:]}")
        else:
            print(summary(stacks))


def summary(stacks: Path) -> str:
    """The functions that were running (own time) and those on the stack (total time), as shares
    of the samples."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in stacks.read_text().splitlines():
        frames, _, count = line.rpartition(" ")
        if not frames or not count.isdigit():
            continue
        n = int(count)
        samples += n
        names = [frame.split(" (")[0] + _where(frame) for frame in frames.split(";")]
        own[names[-1]] += n
        for frame in set(names):
            total[frame] += n
    if not samples:
        return f"profile: no samples in {stacks}"
    lines = [f"profile: {samples} samples, stacks in {stacks}", "  own time:"]
    lines += [f"    {n / samples:6.1%}  {frame}" for frame, n in own.most_common(TOP)]
    lines.append("  on the stack (ours):")
    ours = [(f, n) for f, n in total.most_common() if "(api/" in f or "(graphql_schema/" in f]
    lines += [f"    {n / samples:6.1%}  {frame}" for frame, n in ours[:TOP]]
    return "\n".join(lines)


def _where(frame: str) -> str:
    """` (module path)` of a py-spy frame `function (path/to/file.py:line)`, path from the
    repository or the package."""
    if " (" not in frame:
        return ""
    path = frame.split(" (", 1)[1].rsplit(":", 1)[0]
    path = re.sub(r".*/(site-packages|lib/python3\.\d+)/", "", path)
    for package in ("api/", "graphql_schema/", "bench/"):
        if package in path:
            return f" ({package}{path.split(package, 1)[1]})"
    return f" ({path})"
