"""The signed-in account's personal access tokens (for capture software).

Managed with the session and its CSRF token only: a token cannot make,
list or revoke tokens (none of these routes accepts one), so a leaked
secret cannot be used to make itself a successor.
"""

from __future__ import annotations

from flask import current_app
from flask_login import current_user, login_required

from skyframe.accounts import tokens
from skyframe.api.blueprint import bp
from skyframe.api.contract import operation
from skyframe.api.schemas.tokens import NewTokenOut, TokenIn, TokenList, TokenOut
from skyframe.extensions import db
from skyframe.models import AccessToken, utcnow

TAGS = ["account"]


def token_out(token: AccessToken) -> TokenOut:
    return TokenOut(
        id=token.id,
        name=token.name,
        scopes=tokens.scopes_of(token),
        created_at=token.created_at,
        last_used_at=token.last_used_at,
    )


@bp.post("/me/tokens")
@login_required
@operation(
    tags=TAGS,
    ok=201,
    returns=NewTokenOut,
    json=TokenIn,
    signed_in=True,
    writes=True,
    errors=(409,),
)
def create_my_token(json: TokenIn):
    """Make a personal access token; its secret is in this answer only."""
    made = tokens.create_token(
        db.session,
        current_user,
        name=json.name,
        scopes=json.scopes,
        limit=current_app.config["ACCESS_TOKENS_PER_USER"],
        now=utcnow(),
    )
    db.session.commit()
    return NewTokenOut(token=token_out(made.token), secret=made.secret), 201


@bp.get("/me/tokens")
@login_required
@operation(tags=TAGS, returns=TokenList, signed_in=True)
def list_my_tokens():
    """The account's unrevoked personal access tokens, newest first (never their secrets)."""
    return TokenList(items=[token_out(t) for t in tokens.list_tokens(db.session, current_user)])


@bp.delete("/me/tokens/<int:token_id>")
@login_required
@operation(tags=TAGS, ok=204, signed_in=True, writes=True, errors=(404,))
def revoke_my_token(token_id: int):
    """Revoke a personal access token: it never works again."""
    tokens.revoke_token(db.session, current_user, token_id, utcnow())
    db.session.commit()
    return "", 204
