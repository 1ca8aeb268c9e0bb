"""A refused request's log line never quotes a variable's value (an SMTP password, emails)."""

import logging

import pytest
from graphql import OperationDefinitionNode, parse
from graphql.execution.values import get_variable_values

from graphql_schema.schema import schema

SMTP_UPDATE = (
    "mutation($input: SmtpSettingsUpdateInput!) { smtpSettingsUpdate(input: $input) "
    "{ errors { message } } }"
)
PASSWORD = "hunter2-not-for-logs"
EMAIL = "boss@corp.example"


@pytest.mark.parametrize(
    "value",
    [
        {"port": 25, "sender": EMAIL, "password": PASSWORD},  # host missing: the whole object
        {"host": "smtp", "port": PASSWORD, "sender": EMAIL},  # a wrong type: that value
    ],
)
def test_a_variable_refused_by_graphql_is_logged_without_its_value(value, caplog):
    operation = parse(SMTP_UPDATE).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    errors = get_variable_values(
        schema._schema, operation.variable_definitions or [], {"input": value}
    )
    assert isinstance(errors, list) and errors
    assert any(PASSWORD in error.message for error in errors)  # the client is told
    with caplog.at_level(logging.INFO, logger="graphql_schema"):
        schema.process_errors(errors)
    logged = caplog.text
    assert "Refused (GRAPHQL_ERROR): Variable '$input' has invalid value" in logged
    assert PASSWORD not in logged and EMAIL not in logged
