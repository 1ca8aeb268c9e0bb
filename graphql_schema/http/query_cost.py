"""Measuring a GraphQL document against the limits of query_limits.py, in one linear pass over
its operations with fragments expanded; `refusal` says which limit it reached first."""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    NullValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    is_leaf_type,
)

from graphql_schema.core.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from graphql_schema.http.query_limits import (
    EXPENSIVE,
    LIST_COST,
    MAX_ALIASES,
    MAX_COST,
    MAX_DEPTH,
    MAX_FRAGMENTS,
    MAX_REPEATS,
    MAX_SELECTIONS,
    LimitExceeded,
    over_expensive,
)


@dataclass
class Measure:
    selections: int = 0
    aliases: int = 0
    depth: int = 0
    cost: int = 0
    fragments: int = 0
    # Occurrences of each expensive field ("Type.field") in the document.
    expensive: Counter[str] = field(default_factory=Counter)
    # The first limit reached, if any: the walk stops there.
    refusal: str | None = None


@dataclass(frozen=True)
class _Set:
    selection_set: SelectionSetNode
    parent: GraphQLNamedType | None
    multiplier: int
    depth: int
    # Where the selections land: one number per field visit, so that fragments spread into one
    # selection set count together.
    owner: int
    # Fragments being expanded on the way here (a cycle is left to validation).
    fragments: tuple[str, ...]
    # Inside a paginated field's object: its lists are the page, counted already.
    in_page: bool


def measure(
    document: DocumentNode,
    schema: GraphQLSchema,
    variables: Mapping[str, Any] | None = None,
) -> Measure:
    """Walk every operation with fragments expanded, stopping at the first limit reached."""
    result = Measure()
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    result.fragments = len(fragments)
    if len(fragments) > MAX_FRAGMENTS:
        result.refusal = (
            f"The document defines {len(fragments)} fragments; "
            f"the limit is {MAX_FRAGMENTS} (MAX_FRAGMENTS)"
        )
        return result
    variables = _with_defaults(document, variables or {})
    stack: list[_Set] = []
    for number, definition in enumerate(document.definitions):
        if isinstance(definition, OperationDefinitionNode):
            root = schema.get_root_type(definition.operation)
            stack.append(_Set(definition.selection_set, root, 1, 0, -number - 1, (), False))
    repeats: Counter[tuple[int, str]] = Counter()
    owners = 0
    while stack and result.refusal is None:
        current = stack.pop()
        for node in current.selection_set.selections:
            result.selections += 1 + len(node.directives or ())
            if isinstance(node, FieldNode):
                result.selections += len(node.arguments or ())
            if result.selections > MAX_SELECTIONS:
                result.refusal = (
                    f"The document has more than {MAX_SELECTIONS} fields, arguments and "
                    "fragments (fragments counted where they are used): the limit is "
                    f"{MAX_SELECTIONS} (MAX_SELECTIONS)"
                )
                break
            if isinstance(node, FieldNode):
                name = (node.alias or node.name).value
                result.aliases += node.alias is not None
                if result.aliases > MAX_ALIASES:
                    result.refusal = (
                        f"The document has more than {MAX_ALIASES} aliased fields (fragments "
                        f"counted where they are used): the limit is {MAX_ALIASES} (MAX_ALIASES)"
                    )
                    break
                repeats[current.owner, name] += 1
                if repeats[current.owner, name] > MAX_REPEATS:
                    result.refusal = (
                        f"'{name}' is selected more than {MAX_REPEATS} times in one selection "
                        f"set: the limit is {MAX_REPEATS} (MAX_REPEATS)"
                    )
                    break
                owners += 1
                inner = _field(node, current, owners, result, variables or {})
                if inner is not None:
                    stack.append(inner)
            elif isinstance(node, InlineFragmentNode):
                condition = node.type_condition
                parent = schema.get_type(condition.name.value) if condition else current.parent
                stack.append(_inside(current, node.selection_set, parent, current.fragments))
            elif isinstance(node, FragmentSpreadNode):
                fragment = fragments.get(node.name.value)
                if fragment is None or fragment.name.value in current.fragments:
                    continue
                parent = schema.get_type(fragment.type_condition.name.value)
                path = (*current.fragments, fragment.name.value)
                stack.append(_inside(current, fragment.selection_set, parent, path))
    return result


def _inside(
    current: _Set,
    selection_set: SelectionSetNode,
    parent: GraphQLNamedType | None,
    fragments: tuple[str, ...],
) -> _Set:
    return _Set(
        selection_set,
        parent,
        current.multiplier,
        current.depth,
        current.owner,
        fragments,
        current.in_page,
    )


def _field(
    node: FieldNode,
    current: _Set,
    owner: int,
    result: Measure,
    variables: Mapping[str, Any],
) -> _Set | None:
    """Account for one field; the selection set under it, if any, to walk next."""
    name = node.name.value
    parent = current.parent
    definition = parent.fields.get(name) if isinstance(parent, GraphQLObjectType) else None
    introspection = name.startswith("__") or (parent is not None and parent.name.startswith("__"))
    depth = current.depth if introspection else current.depth + 1
    result.depth = max(result.depth, depth)
    if depth > MAX_DEPTH:
        result.refusal = (
            f"The document nests fields {depth} deep: the limit is {MAX_DEPTH} (MAX_DEPTH)"
        )
        return None
    if parent is not None and f"{parent.name}.{name}" in EXPENSIVE:
        result.expensive[f"{parent.name}.{name}"] += 1
    if definition is None or introspection:
        named = None
        multiplier, in_page = current.multiplier, False
    else:
        is_list, named = _unwrap(definition.type)
        size = _size(node, variables) if "first" in definition.args else None
        if size is None and is_list and not is_leaf_type(named):
            size = 1 if current.in_page else LIST_COST
        multiplier = current.multiplier
        if size is not None and not (is_list and current.in_page):
            multiplier *= size
            result.cost += multiplier
        in_page = "first" in definition.args and not is_list
    if result.cost > MAX_COST:
        result.refusal = (
            f"The document may ask for {result.cost} list items or more: the limit is "
            f"{MAX_COST} (MAX_COST; each list counts its page size, `first`, times the pages "
            "around it)"
        )
        return None
    if node.selection_set is None:
        return None
    return _Set(node.selection_set, named, multiplier, depth, owner, current.fragments, in_page)


def _unwrap(type_: GraphQLOutputType) -> tuple[bool, GraphQLNamedType]:
    is_list = False
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        is_list = is_list or isinstance(type_, GraphQLList)
        type_ = type_.of_type
    return is_list, type_


def _with_defaults(document: DocumentNode, variables: Mapping[str, Any]) -> dict[str, Any]:
    """The variables sent, and for those left out the defaults the operations give them (a page
    size can hide there); a default that is not a plain integer counts as the largest page."""
    merged: dict[str, Any] = {}
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        for declared in definition.variable_definitions or ():
            default = declared.default_value
            size = None if default is None else _literal_size(default)
            if size is None:
                continue
            name = declared.variable.name.value
            merged[name] = max(size, merged.get(name, size))
    return merged | dict(variables)


def _literal_size(node: ValueNode) -> int | None:
    """A page size written in the query: its integer, None for null, and the largest page for
    anything else (an integer too long to be one, a value of another type)."""
    if isinstance(node, NullValueNode):
        return None
    if isinstance(node, IntValueNode) and len(node.value) < 10:
        return int(node.value)
    return MAX_PAGE_SIZE


def _size(node: FieldNode, variables: Mapping[str, Any]) -> int:
    """The page size a field's `first` argument asks for, within 1..MAX_PAGE_SIZE."""
    value: Any = None
    for argument in node.arguments or ():
        if argument.name.value == "first":
            if isinstance(argument.value, VariableNode):
                value = variables.get(argument.value.name.value)
            else:
                value = _literal_size(argument.value)
    if not isinstance(value, int) or isinstance(value, bool):
        return DEFAULT_PAGE_SIZE if value is None else MAX_PAGE_SIZE
    return max(1, min(value, MAX_PAGE_SIZE))


def refusal(measured: Measure) -> LimitExceeded | None:
    """The error for the first limit the document reached, if any."""
    if measured.refusal is not None:
        return LimitExceeded(measured.refusal)
    for coordinate, count in sorted(measured.expensive.items()):
        if count > EXPENSIVE[coordinate][1]:
            return over_expensive(coordinate)
    return None
