"""The Strawberry GraphQL schema: one package per domain, composed in schema.py."""
