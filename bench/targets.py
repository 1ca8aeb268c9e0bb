"""The issue's targets beside what was measured: every line the bench prints about a target says
whether it was met, and the run ends with the list of them all."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    what: str
    measured: float
    limit: float
    unit: str
    # Ratios and rates must reach the limit; times and sizes must stay under it.
    at_least: bool = False

    @property
    def met(self) -> bool:
        return self.measured >= self.limit if self.at_least else self.measured <= self.limit

    def verdict(self) -> str:
        sign = ">=" if self.at_least else "<="
        return f"(target {sign} {self.limit:g}{self.unit}: {'met' if self.met else 'NOT met'})"

    def line(self) -> str:
        return f"{self.what}: {self.measured:.2f}{self.unit} {self.verdict()}"


class Targets:
    """Every target measured in one run, in the order measured."""

    def __init__(self) -> None:
        self.checked: list[Target] = []

    def check(
        self, what: str, measured: float, limit: float, unit: str = "", at_least: bool = False
    ) -> str:
        target = Target(what, measured, limit, unit, at_least)
        self.checked.append(target)
        return target.verdict()

    def summary(self) -> list[str]:
        met = sum(t.met for t in self.checked)
        lines = [f"targets: {met} of {len(self.checked)} met"]
        lines += [f"  {'met    ' if t.met else 'NOT met'} {t.line()}" for t in self.checked]
        return lines


targets = Targets()
