"""Sign-in, registration and account pages: the blueprint their route modules add to."""

from flask import Blueprint

bp = Blueprint("auth", "skyframe.auth")
