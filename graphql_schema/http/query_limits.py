"""Bounded work per GraphQL document: the limits, checked on the parsed document in one linear pass
(query_cost.py) before graphql-core's validation (whose overlapping-fields rule is quadratic) and
execution."""

from graphql import (
    GraphQLError,
)

from api.services.errors import ErrorCode
from graphql_schema.core.pagination import MAX_PAGE_SIZE

# The query text, in characters, and in lexical tokens (the parser stops at the limit).
MAX_QUERY_LENGTH = 100_000
MAX_TOKENS = 2_000
# Nested fields, counted from the operation (introspection fields are not counted).
MAX_DEPTH = 12
# Fields, their arguments and directives, fragment spreads and inline fragments, every fragment
# counted where it is spread.
MAX_SELECTIONS = 1_000
# Aliased fields: each runs its resolver (and its database queries) once more.
MAX_ALIASES = 30
# Selections with one response name in one selection set: graphql-core compares them pairwise.
MAX_REPEATS = 10
MAX_FRAGMENTS = 50
# Items a document may ask for: each list costs the items it may return, times the items of the
# lists around it. `first: 100` nested in `first: 100` costs 100 + 100 x 100.
MAX_COST = 20_000
# A list with no `first` argument is counted at this size (the page cap).
LIST_COST = MAX_PAGE_SIZE
# Expensive fields: each at most this many times in one request (in the document, and resolved).
MAX_PDFS = 1
MAX_SIMULATIONS = 1
MAX_RESCORES = 1
MAX_REPORTS = 20
EXPENSIVE: dict[str, tuple[str, int]] = {
    "ScoreView.summaryPdf": ("MAX_PDFS", MAX_PDFS),
    "Mutation.scoreViewEmailSend": ("MAX_PDFS", MAX_PDFS),
    "Query.scoringSimulate": ("MAX_SIMULATIONS", MAX_SIMULATIONS),
    "Mutation.scoringRescore": ("MAX_RESCORES", MAX_RESCORES),
    "ScoreView.report": ("MAX_REPORTS", MAX_REPORTS),
    "Classification.counts": ("MAX_REPORTS", MAX_REPORTS),
    "Classification.scoreDistribution": ("MAX_REPORTS", MAX_REPORTS),
}


class LimitExceeded(GraphQLError):
    """A limit reached: expected and safe to show, never masked."""

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": ErrorCode.LIMIT_EXCEEDED.value})


def over_expensive(coordinate: str) -> LimitExceeded:
    name, cap = EXPENSIVE[coordinate]
    return LimitExceeded(
        f"{coordinate} is expensive: at most {cap} in one request (the limit {name})"
    )
