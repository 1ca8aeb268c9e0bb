"""Reflex configuration: the dashboard app lives in dashboard/."""

import os

import reflex as rx

config = rx.Config(
    app_name="dashboard",
    frontend_port=int(os.environ.get("DASHBOARD_PORT", "3000")),
    backend_port=int(os.environ.get("DASHBOARD_BACKEND_PORT", "8001")),
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.SitemapPlugin(),
        rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="indigo", radius="medium")),
    ],
)
