"""The staff area under /admin: the blueprint its page modules add to.

Only staff enter (policy.can_enter_staff_area); everyone else, signed in or
not, is answered 404, as if there were no such area. Inside, each page and
action asks its own rule (the audit log is for managers only: 403 to a
moderator, who knows the area exists)."""

from flask import Blueprint, abort

from skyframe import policy
from skyframe.web.admin_networks import admin_reachable
from skyframe.web.viewer import viewer

bp = Blueprint("admin", "skyframe.admin")


@bp.before_request
def staff_only():
    if not policy.can_enter_staff_area(viewer()):
        abort(404)


@bp.app_context_processor
def staff_helpers() -> dict[str, object]:
    # Every page's header links here for staff only (and only from the
    # allowed networks); the staff menu shows the audit log to managers only.
    return {
        "can_enter_staff_area": lambda actor: (
            policy.can_enter_staff_area(actor) and admin_reachable()
        ),
        "can_read_audit_log": policy.can_read_audit,
        "can_list_appeals": policy.can_list_appeals,
    }
