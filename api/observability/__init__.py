"""What the process tells its operators: request ids, logs, metrics, health and readiness."""
