"""The options of `python -m bench` (bench/__main__.py)."""

import argparse
from pathlib import Path


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--activities", type=int, default=20000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument(
        "--profile", type=Path, default=None, help="write a CPU profile of the API to this folder"
    )
    parser.add_argument(
        "--subscribers", type=int, default=200, help="live fan-out to N subscribers (0: skip)"
    )
    parser.add_argument(
        "--reset-contacts",
        type=int,
        default=100_000,
        help="contacts for the reset benchmark (0 to skip)",
    )
    parser.add_argument(
        "--view-contacts",
        type=int,
        default=100_000,
        help="contacts for the view report benchmark (0 to skip)",
    )
    parser.add_argument(
        "--rescore-contacts",
        type=int,
        default=5000,
        help="contacts for the rescore benchmark (0 to skip)",
    )
    parser.add_argument(
        "--rescore-activities",
        type=int,
        default=10,
        help="stored activities per contact for the rescore benchmark (at least 1)",
    )
    parser.add_argument(
        "--sync-activities",
        type=int,
        default=4000,
        help="activities for the durability cost benchmark (0 to skip)",
    )
    parser.add_argument(
        "--hostile",
        type=int,
        default=10_000,
        help="hostile requests for the memory and refusal measurement (0 to skip)",
    )
    parser.add_argument(
        "--only-hostile", action="store_true", help="measure the hostile requests only"
    )
    parser.add_argument(
        "--observe-activities",
        type=int,
        default=4000,
        help="activities per turn for the cost of logging and metrics (0 to skip)",
    )
    parser.add_argument(
        "--observe-samples", type=int, default=100, help="live changes per turn, the same"
    )
    parser.add_argument(
        "--observe-rounds", type=int, default=2, help="rounds of turns (on, off, off, on)"
    )
    parser.add_argument(
        "--only-observe", action="store_true", help="measure the cost of logs and metrics only"
    )
    parser.add_argument(
        "--search-contacts",
        type=int,
        default=100_000,
        help="contacts for the contacts search latency (0 to skip)",
    )
    parser.add_argument(
        "--only-search", action="store_true", help="measure the contacts search only"
    )
    args = parser.parse_args()
    if args.rescore_activities < 1:
        parser.error("--rescore-activities must be at least 1")
    return args
