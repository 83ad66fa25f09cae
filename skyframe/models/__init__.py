"""SQLAlchemy models. Import from here so Alembic sees every table."""

from skyframe.models.base import Base, UTCDateTime, utcnow
from skyframe.models.login_session import LoginSession
from skyframe.models.motd import Motd, MotdAck
from skyframe.models.user import Role, User

__all__ = ["Base", "LoginSession", "Motd", "MotdAck", "Role", "UTCDateTime", "User", "utcnow"]
