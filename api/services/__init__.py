"""Use cases: validate input, call the domain and the database, report errors as values."""
