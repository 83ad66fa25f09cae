from flask import Blueprint

bp = Blueprint("auth", __name__)

from skyframe.auth import account_pages, routes  # noqa: E402,F401
