"""WSGI entry point: ``gunicorn wsgi:app`` (config from SKYFRAME_CONFIG)."""

from skyframe import create_app

app = create_app()
