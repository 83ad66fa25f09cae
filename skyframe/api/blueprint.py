"""The JSON API under /api/v1: the blueprint its route modules add to."""

from flask import Blueprint

bp = Blueprint("api", "skyframe.api")
