"""The rule drafts screen: a proposed change to the score sheet or the custom rules simulated
against the stored history, then applied and rescored, the rescore followed live."""

from dataclasses import replace
from typing import Any

import reflex as rx

from dashboard.documents import (
    CONTACT_SCORE,
    CUSTOM_RULE_CREATE,
    CUSTOM_RULE_DELETE,
    CUSTOM_RULE_UPDATE,
    DRAFTS,
    RESCORE_PROGRESS,
    SCORE_SHEET_UPDATE,
    SCORING_RESCORE,
    SCORING_SIMULATE,
)
from dashboard.draft_models import ClassMove, RescoreRow, SimulatedRow
from dashboard.graphql_client import ApiError
from dashboard.models import CustomRuleRow, JobStep, Json, SheetRow
from dashboard.rule_inputs import custom_rule_input
from dashboard.states.auth import call, mutate_fields
from dashboard.states.jobs import follow_job

RULE_FIELDS = {
    "name",
    "points",
    "activityType",
    "urlEquals",
    "urlContains",
    "campaignId",
    "excludedCampaigns",
}


class DraftsState(rx.State):
    entries: list[SheetRow] = []
    negative_enabled: bool = False
    custom_rules: list[CustomRuleRow] = []
    jobs: list[RescoreRow] = []
    # Which kind of change is drafted: "sheet", "rule" or "remove"; the rule drafted (empty id:
    # a new one).
    kind: str = "sheet"
    rule: CustomRuleRow = CustomRuleRow()
    field_errors: dict[str, str] = {}
    # Changed on each load, so that the forms start again from what is saved.
    form_key: int = 0
    loading: bool = True
    error: str = ""
    notice: str = ""
    # The last simulation: what was proposed and what it would do.
    simulated: bool = False
    proposal_text: str = ""
    examined: int = 0
    changed: int = 0
    total_delta: str = ""
    moves: list[ClassMove] = []
    examples: list[SimulatedRow] = []
    applied: bool = False
    # The rescore followed live: empty when none is.
    running_id: str = ""
    progress: int = 0
    progress_text: str = ""
    # The simulated proposal as the API took it, applied as such (backend only).
    _proposal: dict[str, Any] = {}

    @rx.event
    async def load(self) -> Any:
        await self._load()
        self.loading = False
        latest = self.jobs[0] if self.jobs else None
        return self._follow(latest.id) if latest is not None and latest.running else None

    async def _load(self) -> None:
        try:
            data = await call(self, DRAFTS)
        except ApiError as error:
            self.error = str(error)
            return
        sheet = data["scoreSheet"]
        self.entries = [SheetRow.from_api(e) for e in sheet["entries"]]
        self.negative_enabled = sheet["negativeScoringEnabled"]
        self.custom_rules = [CustomRuleRow.from_api(r) for r in data["customRules"]]
        self.jobs = [RescoreRow.from_api(j) for j in data["rescoreJobs"]]
        self.form_key += 1

    @rx.event
    def set_kind(self, kind: str) -> None:
        self.kind, self.field_errors = kind, {}

    @rx.event
    def pick_rule(self, rule_id: str) -> None:
        self.rule = next((r for r in self.custom_rules if r.id == rule_id), CustomRuleRow())
        self.field_errors = {}

    @rx.event
    async def simulate_sheet(self, form: dict[str, Any]) -> None:
        changes, problems, described = [], {}, []
        for entry in self.entries:
            text = str(form.get(entry.activity, "")).strip()
            try:
                points = int(text)
            except ValueError:
                problems[f"entries.{entry.activity}"] = "Give whole points"
                continue
            if points != entry.points:
                changes.append({"activity": entry.activity, "points": points})
                described.append(f"{entry.label.lower()} {entry.points} → {points}")
        if problems:
            self.field_errors = problems
            return
        proposal: Json = {"entries": changes}
        negative = form.get("negative") == "on"
        if negative != self.negative_enabled:
            proposal["negativeScoringEnabled"] = negative
            described.append("negative scoring " + ("on" if negative else "off"))
        await self._simulate(proposal, "Score sheet: " + (", ".join(described) or "as it is"))

    @rx.event
    async def simulate_rule(self, form: dict[str, Any]) -> None:
        try:
            draft = custom_rule_input(form)
        except ValueError:
            self.field_errors = {"customRule.points": "Give the points as a whole number"}
            return
        if self.rule.id:
            draft["id"] = self.rule.id
        what = f"custom rule '{self.rule.name}' changed" if self.rule.id else "a new custom rule"
        await self._simulate({"customRule": draft}, f"{what.capitalize()}: {draft['name']}")

    @rx.event
    async def simulate_removal(self, form: dict[str, Any]) -> None:
        rule_id = str(form.get("rule", ""))
        name = next((r.name for r in self.custom_rules if r.id == rule_id), rule_id)
        await self._simulate({"removeCustomRuleId": rule_id}, f"Custom rule '{name}' removed")

    async def _simulate(self, proposal: Json, text: str) -> None:
        fields = {f"entries.{e.activity}" for e in self.entries} | {"removeCustomRuleId"}
        fields |= {f"customRule.{f}" for f in RULE_FIELDS}
        self.notice, self.simulated, self.applied = "", False, False
        payload, self.field_errors = await mutate_fields(
            self, SCORING_SIMULATE, {"input": proposal}, "scoringSimulate", fields
        )
        if payload is None:
            return
        found = payload["simulation"]
        self._proposal, self.proposal_text, self.simulated = proposal, text, True
        self.examined, self.changed = found["contactsExamined"], found["contactsChanged"]
        self.total_delta = f"{found['totalDelta']:+d}"
        self.moves = [ClassMove.from_api(c) for c in found["classChanges"]]
        self.examples = [SimulatedRow.from_api(e) for e in found["examples"]]

    @rx.event
    async def apply(self, form: dict[str, Any]) -> Any:
        """Save the simulated change, then rescore every contact under it."""
        reason = str(form.get("reason", "")).strip()
        if not reason:
            self.field_errors = {"reason": "Say why: it is shown on every rescored timeline"}
            return None
        if not self.simulated or self.applied or not await self._save(self._proposal):
            return None
        self.applied = True
        payload, self.field_errors = await mutate_fields(
            self, SCORING_RESCORE, {"input": {"reason": reason}}, "scoringRescore", {"reason"}
        )
        await self._load()
        if payload is None:
            return None
        self.notice = "Change saved; rescoring every contact under it…"
        return self._follow(payload["job"]["id"])

    async def _save(self, proposal: Json) -> bool:
        """The proposal saved as the sheet or the rules: whether it was."""
        if "customRule" in proposal:
            rule = dict(proposal["customRule"])
            document, field = (
                (CUSTOM_RULE_UPDATE, "customRuleUpdate")
                if "id" in rule
                else (CUSTOM_RULE_CREATE, "customRuleCreate")
            )
            payload, errors = await mutate_fields(
                self, document, {"input": rule}, field, RULE_FIELDS
            )
            self.field_errors = {f"customRule.{name}": text for name, text in errors.items()}
        elif "removeCustomRuleId" in proposal:
            variables = {"input": {"id": proposal["removeCustomRuleId"]}}
            payload, self.field_errors = await mutate_fields(
                self, CUSTOM_RULE_DELETE, variables, "customRuleDelete", set()
            )
        else:
            fields = {f"entries.{e.activity}" for e in self.entries}
            payload, self.field_errors = await mutate_fields(
                self, SCORE_SHEET_UPDATE, {"input": proposal}, "scoreSheetUpdate", fields
            )
        return payload is not None

    def _follow(self, job_id: str) -> Any:
        """Follow the rescore live, unless it is followed already."""
        if job_id == self.running_id:
            return None
        self.running_id, self.progress, self.progress_text = job_id, 0, "starting"
        return DraftsState.follow

    @rx.event(background=True)
    async def follow(self) -> None:
        async with self:
            job_id = self.running_id
        finished = await follow_job(self, RESCORE_PROGRESS, job_id, self._show)
        async with self:
            if self.running_id != job_id:
                return
            self.running_id = ""
            if not finished:
                self.error = "Lost the rescore's progress: reload the page"
            await self._load()
            job = next((j for j in self.jobs if j.id == job_id), None)
            if finished and job is not None:
                self.notice = job.outcome()
                await self._scores_now()

    def _show(self, step: JobStep) -> None:
        if step.id == self.running_id:
            self.progress, self.progress_text = step.percent, f"{step.walked()} contacts"

    async def _scores_now(self) -> None:
        """The examples' scores after the rescore."""
        rows = []
        for example in self.examples:
            try:
                found = (await call(self, CONTACT_SCORE, {"id": example.contact_id}))["contact"]
            except ApiError as error:
                self.error = str(error)
                return
            rows.append(replace(example, after=str(found["score"]) if found else "gone"))
        self.examples = rows
