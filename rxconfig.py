"""Reflex configuration: the dashboard app lives in dashboard/."""

import os

import reflex as rx

from dashboard.config import HOST, origins

config = rx.Config(
    app_name="dashboard",
    frontend_port=int(os.environ.get("DASHBOARD_PORT", "3000")),
    backend_port=int(os.environ.get("DASHBOARD_BACKEND_PORT", "8001")),
    backend_host=HOST,
    # Also enforced by dashboard.origins for every request; here for the CORS headers and
    # the websocket server's own origin check.
    cors_allowed_origins=origins(),
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.SitemapPlugin(),
        rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="indigo", radius="medium")),
    ],
)
