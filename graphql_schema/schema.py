"""The schema: every domain's queries, mutations and subscriptions composed into one."""

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, QueryDepthLimiter
from strawberry.tools import merge_types

from graphql_schema.access.mutations import AccessMutations
from graphql_schema.access.queries import AccessQueries
from graphql_schema.activities.mutations import ActivityMutations
from graphql_schema.contacts.mutations import ContactMutations
from graphql_schema.contacts.queries import ContactQueries
from graphql_schema.errors import answer_passing_failures
from graphql_schema.live.rescores import RescoreSubscriptions
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
answer_passing_failures(Query, Mutation)
Subscription = merge_types("Subscription", (LiveSubscriptions, RescoreSubscriptions))


def is_unexpected(error: GraphQLError) -> bool:
    """Errors raised as GraphQLError are meant for the client; anything else is masked."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    extensions=[
        lambda: MaskErrors(should_mask_error=is_unexpected, error_message="Unexpected error"),
        lambda: QueryDepthLimiter(max_depth=12),
    ],
)
