"""What every GraphQL domain package shares: errors, pagination, permissions, request context."""
