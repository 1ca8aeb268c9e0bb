"""Serving the schema (HTTP and websockets) and protecting it: guards, query limits, workers."""
