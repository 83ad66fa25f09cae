"""The HTML pages: the blueprint their route modules add to."""

from flask import Blueprint

bp = Blueprint("main", "skyframe.main")
