"""Extension objects shared by the whole app, bound in ``create_app``."""

from __future__ import annotations

from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect
from spectree import SpecTree

from skyframe.models.base import Base
from skyframe.ratelimit import client_address
from skyframe.validation import raise_validation_error

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=client_address)
talisman = Talisman()
bootstrap = Bootstrap5()
api_spec = SpecTree(
    "flask",
    before=raise_validation_error,
    title="SkyFrame API",
    version="v1",
    path="api/v1/spec",
    mode="strict",
    annotations=True,
)
