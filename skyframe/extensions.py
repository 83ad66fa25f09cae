"""Extension objects shared by the whole app, bound in ``create_app``."""

from __future__ import annotations

from flask import g
from flask_bootstrap import Bootstrap5
from flask_compress import Compress
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect
from spectree import SecurityScheme, SecuritySchemeData, SpecTree

from skyframe.models.base import Base
from skyframe.validation import (
    ErrorResponse,
    ModelAdapter,
    raise_response_error,
    raise_validation_error,
)
from skyframe.web.client import client_address

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()


class CSRFUnlessToken(CSRFProtect):
    """CSRF protection, but for requests a personal access token signed in
    (skyframe.web.bearer): they carry no cookie a browser would send for
    another site, so there is no forged request to refuse."""

    def _is_exempt(self) -> bool:
        return g.get("access_token") is not None or super()._is_exempt()


csrf = CSRFUnlessToken()
limiter = Limiter(key_func=client_address)
talisman = Talisman()
bootstrap = Bootstrap5()
compress = Compress()
api_spec = SpecTree(
    "flask",
    before=raise_validation_error,
    after=raise_response_error,
    validation_error_model=ErrorResponse,
    model_adapter=ModelAdapter(),
    # Payload class names are unique across the API: use them as schema names.
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    title="SkyFrame API",
    description=(
        "JSON API of SkyFrame. Sign in with POST /auth/login (the session cookie "
        "then authenticates you); send the CSRF token from GET /auth/csrf or from the "
        "login answer as the X-CSRFToken header on every POST, PUT, PATCH and DELETE. "
        'Errors always have the shape {"error": {"code", "message", "fields"?}}.'
    ),
    version="v1",
    # SkyFrame serves the document itself (api/meta.py); this path only has
    # to differ from the API's own prefix, which spectree would skip.
    path="_spectree",
    page_templates={},  # the reference page is rendered locally at /api/docs
    mode="strict",
    annotations=True,
    servers=[],
    security_schemes=[
        SecurityScheme(
            name="session",
            data=SecuritySchemeData(
                type="apiKey",
                field_in="cookie",
                name="skyframe_session",
                description="The session cookie set at login or registration.",
            ),
        ),
        SecurityScheme(
            name="csrf",
            data=SecuritySchemeData(
                type="apiKey",
                field_in="header",
                name="X-CSRFToken",
                description="The CSRF token of the session (GET /api/v1/auth/csrf).",
            ),
        ),
        SecurityScheme(
            name="bearer",
            data=SecuritySchemeData(
                type="http",
                scheme="bearer",
                bearer_format="sf_pat_…",
                description=(
                    "A personal access token (POST /api/v1/me/tokens) as "
                    "Authorization: Bearer sf_pat_…, for capture software. Only the "
                    "operations that name its scope accept it (no CSRF token needed); "
                    "everywhere else it is ignored."
                ),
            ),
        ),
    ],
)
