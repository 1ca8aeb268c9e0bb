"""The schema: every domain's queries, mutations and subscriptions composed into one."""

import logging
import re

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from api.observability.current import note_error
from graphql_schema.access.mutations import AccessMutations
from graphql_schema.access.queries import AccessQueries
from graphql_schema.activities.mutations import ActivityMutations
from graphql_schema.contacts.mutations import ContactMutations
from graphql_schema.contacts.queries import ContactQueries
from graphql_schema.core.errors import answer_failures_as_errors
from graphql_schema.http.guard import DocumentGuard
from graphql_schema.http.observed import OperationLabel
from graphql_schema.live.jobs import JobSubscriptions
from graphql_schema.live.queries import LiveQueries
from graphql_schema.live.subscriptions import LiveSubscriptions
from graphql_schema.notifications.mutations import NotificationMutations
from graphql_schema.notifications.queries import NotificationQueries
from graphql_schema.rescoring.mutations import RescoringMutations
from graphql_schema.rescoring.queries import RescoringQueries
from graphql_schema.resets.mutations import ResetMutations
from graphql_schema.resets.queries import ResetQueries
from graphql_schema.rules.mutations import RuleMutations
from graphql_schema.rules.queries import RuleQueries
from graphql_schema.scoring.mutations import ScoringMutations
from graphql_schema.scoring.queries import ScoringQueries
from graphql_schema.views.mutations import ViewMutations
from graphql_schema.views.queries import ViewQueries
from graphql_schema.workflows.mutations import WorkflowMutations
from graphql_schema.workflows.queries import WorkflowQueries

Query = merge_types(
    "Query",
    (
        ContactQueries,
        ScoringQueries,
        RuleQueries,
        WorkflowQueries,
        ViewQueries,
        NotificationQueries,
        ResetQueries,
        RescoringQueries,
        AccessQueries,
        LiveQueries,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        ContactMutations,
        ActivityMutations,
        ScoringMutations,
        RuleMutations,
        WorkflowMutations,
        ViewMutations,
        NotificationMutations,
        ResetMutations,
        RescoringMutations,
        AccessMutations,
    ),
)
answer_failures_as_errors(Query, Mutation)
Subscription = merge_types("Subscription", (LiveSubscriptions, JobSubscriptions))


logger = logging.getLogger("graphql_schema")
# Of a refused request's message, what goes to the log (messages may quote the request).
LOGGED_MESSAGE = 300
# A variable that cannot be coerced: graphql-core quotes its value (a whole input object, with an
# SMTP password or email addresses): only where it is wrong is logged.
_VARIABLE_VALUE = re.compile(r"(Variable '\$[^']*' (?:has|got) invalid value(?: at [^:]*)?)[:.]")


def loggable(message: str) -> str:
    """A refusal's message as logged: one line, cut, without the value of a variable."""
    found = _VARIABLE_VALUE.match(message)
    if found:
        message = f"{found.group(1)} (its value is not logged)"
    return " ".join(message.split())[:LOGGED_MESSAGE]


def is_unexpected(error: GraphQLError) -> bool:
    """Errors raised as GraphQLError are meant for the client; anything else is masked."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """A bug logs its traceback; an expected refusal (bad input, a limit, a role) one line."""
        for error in errors:
            if is_unexpected(error):
                note_error("INTERNAL")
                logger.error("Unexpected error: %s", error.message, exc_info=error.original_error)
                continue
            code = (error.extensions or {}).get("code", "GRAPHQL_ERROR")
            note_error(str(code))
            level = logging.WARNING if code in {"LIMIT_EXCEEDED", "RATE_LIMITED"} else logging.INFO
            logger.log(level, "Refused (%s): %s", code, loggable(error.message))

    def answered(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        """What a client is shown of errors met outside an operation's own execution (a shared
        live subscription's): logged and masked as any operation's are."""
        self.process_errors(errors)
        return [MASK.anonymise_error(e) if is_unexpected(e) else e for e in errors]


MASK = MaskErrors(should_mask_error=is_unexpected, error_message="Unexpected error")


schema = Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    extensions=[
        lambda: MaskErrors(should_mask_error=is_unexpected, error_message=MASK.error_message),
        DocumentGuard,
        OperationLabel,
    ],
)
