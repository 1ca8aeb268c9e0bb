"""What a proposed change to the score sheet or the custom rules would do to every contact's score
and class if the stored history were scored under it: answered without changing anything."""

import heapq
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from api.db.client import Store
from api.domain.classification import ClassificationBasis, ClassificationSettings, ContactClass
from api.domain.rules import CustomRule
from api.domain.sheet import ScoreSheet, SheetEntry
from api.scoring.recompute import Recomputed
from api.services.classifying import basis_scores
from api.services.errors import ErrorCode, ServiceError, ServiceFailure
from api.services.recomputation import recomputed_chunks
from api.services.rules import checked_custom_rule
from api.services.sheet import sheet_problems

EXAMPLES = 5
DRAFT_RULE_ID = "draft"


@dataclass(frozen=True)
class Proposal:
    points: Mapping[SheetEntry, int] = field(default_factory=dict)
    negative_scoring_enabled: bool | None = None
    # A new custom rule (no id), or one replacing the rule with its id.
    custom_rule: CustomRule | None = None
    removed_rule_id: str | None = None


@dataclass(frozen=True)
class ClassShift:
    before: ContactClass
    after: ContactClass
    count: int


@dataclass(frozen=True)
class SimulatedScore:
    contact_id: str
    email: str
    score: int
    simulated: int


@dataclass(frozen=True)
class Simulation:
    contacts_examined: int
    contacts_changed: int
    total_delta: int
    class_changes: list[ClassShift]
    # The contacts whose score would move most.
    examples: list[SimulatedScore]


async def simulate(store: Store, proposal: Proposal) -> Simulation:
    sheet, rules = await _proposed(store, proposal)
    settings = await store.sheet.classification()
    examined = changed = total_delta = 0
    moves: Counter[tuple[ContactClass, ContactClass]] = Counter()
    largest: list[tuple[int, str, int, int]] = []
    async for ids, recomputations in recomputed_chunks(store, sheet, rules):
        examined += len(ids)
        moved = [r.result for r in recomputations if r.result.delta]
        changed += len(moved)
        total_delta += sum(r.delta for r in moved)
        moves.update(await _class_moves(store, settings, moved))
        for r in moved:
            heapq.heappush(largest, (abs(r.delta), r.contact_id, r.score, r.rescored))
            if len(largest) > EXAMPLES:
                heapq.heappop(largest)
    top = sorted(largest, reverse=True)
    contacts = await store.contacts.by_ids([cid for _, cid, _, _ in top])
    return Simulation(
        contacts_examined=examined,
        contacts_changed=changed,
        total_delta=total_delta,
        class_changes=[
            ClassShift(before, after, count)
            for (before, after), count in sorted(
                moves.items(), key=lambda item: (-item[1], item[0])
            )
        ],
        examples=[
            SimulatedScore(cid, contacts[cid].email, score, simulated)
            for _, cid, score, simulated in top
            if cid in contacts
        ],
    )


async def _class_moves(
    store: Store, settings: ClassificationSettings, moved: Sequence[Recomputed]
) -> list[tuple[ContactClass, ContactClass]]:
    """(class now, class after) of contacts that would change class. A rescore's delta is a
    timeline entry of its own: on the recent-points basis it counts as earned now."""
    if not moved:
        return []
    if settings.basis is ClassificationBasis.TOTAL_SCORE:
        bases = [r.score for r in moved]
    else:
        bases = await basis_scores(store, settings, [(r.contact_id, r.score) for r in moved])
    pairs = [
        (settings.classify(basis), settings.classify(basis + r.delta))
        for r, basis in zip(moved, bases, strict=True)
    ]
    return [(before, after) for before, after in pairs if before is not after]


async def _proposed(store: Store, proposal: Proposal) -> tuple[ScoreSheet, list[CustomRule]]:
    """The sheet and custom rules with the proposal applied, validated like the real changes."""
    problems = sheet_problems(proposal.points)
    rules = await store.custom_rules.all()
    removed = proposal.removed_rule_id
    if removed is not None and all(rule.id != removed for rule in rules):
        problems.append(
            ServiceError(
                "removeCustomRuleId", f"No custom rule with id {removed}", ErrorCode.NOT_FOUND
            )
        )
    draft = proposal.custom_rule
    if draft is not None:
        try:
            draft = await checked_custom_rule(store, draft, creating=not draft.id)
        except ServiceFailure as failure:
            problems += [
                replace(error, field=f"customRule.{error.field}" if error.field else "customRule")
                for error in failure.errors
            ]
        if draft.id and draft.id == removed:
            problems.append(
                ServiceError(
                    "customRule.id",
                    "The same rule cannot be both replaced and removed",
                    ErrorCode.INVALID,
                )
            )
    if problems:
        raise ServiceFailure(problems)
    proposed = [rule for rule in rules if rule.id != removed]
    if draft is not None and draft.id:
        proposed = [draft if rule.id == draft.id else rule for rule in proposed]
    elif draft is not None:
        proposed.append(replace(draft, id=DRAFT_RULE_ID))
    sheet = (await store.sheet.score_sheet()).with_changes(
        proposal.points, negative_scoring_enabled=proposal.negative_scoring_enabled
    )
    return sheet, proposed
