"""Names each operation for logs and metrics: its first root field when the schema has it, else
"other" (so that made-up names create no metric series), and the client's operationName when
sane (logs only)."""

from collections.abc import AsyncIterator

from graphql import DocumentNode, FieldNode, GraphQLSchema, OperationDefinitionNode
from strawberry.extensions import SchemaExtension

from api.observability.current import note_operation

OTHER = "other"


def root_field(schema: GraphQLSchema, document: DocumentNode | None, name: str | None) -> str:
    if document is None:
        return OTHER
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if name is not None and (definition.name is None or definition.name.value != name):
            continue
        root = schema.get_root_type(definition.operation)
        first = definition.selection_set.selections[0]
        if root is not None and isinstance(first, FieldNode) and first.name.value in root.fields:
            return first.name.value
        return OTHER
    return OTHER


class OperationLabel(SchemaExtension):
    async def on_validate(self) -> AsyncIterator[None]:
        execution = self.execution_context
        name = execution.operation_name
        label = root_field(execution.schema._schema, execution.graphql_document, name)
        note_operation(label, name)
        yield
