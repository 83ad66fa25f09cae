from flask import Blueprint

bp = Blueprint("main", __name__)

from skyframe.main import media, posts, profile, routes  # noqa: E402,F401
