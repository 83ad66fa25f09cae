"""Collection pages: swipe through one (``/c/<id>``, the feed's page with the
collection as its source), arrange one, and every change as a plain POST
form, so all of it works without JavaScript (static/js/collections.js only
enhances: the "Add to collection" sheet, drag to reorder, buttons without
a reload)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, TextAreaField

from skyframe.api.collections import items_page
from skyframe.exceptions import DomainError
from skyframe.extensions import db
from skyframe.main.blueprint import bp
from skyframe.main.feed_pages import render_feed
from skyframe.main.forms import ConfirmForm, show_errors
from skyframe.models import utcnow
from skyframe.models.collection import (
    COLLECTION_DESCRIPTION_MAX_LENGTH,
    COLLECTION_TITLE_MAX_LENGTH,
)
from skyframe.posts import views as post_views
from skyframe.services import feed_settings
from skyframe.social import collections
from skyframe.web.ratelimit import per_user_limit
from skyframe.web.safe_redirect import safe_next_path
from skyframe.web.viewer import viewer

# Arranging shows every listed item on one page (a collection holds at most
# COLLECTION_MAX_ITEMS, 1000 by default).
ARRANGE_LIMIT = collections.LISTED_MAX


class CollectionForm(FlaskForm):
    title = StringField(
        "Title", render_kw={"maxlength": COLLECTION_TITLE_MAX_LENGTH, "required": True}
    )
    description = TextAreaField(
        "Description", render_kw={"maxlength": COLLECTION_DESCRIPTION_MAX_LENGTH, "rows": 3}
    )
    public = BooleanField("Public", description="Private collections are seen by you alone.")
    post_id = HiddenField()  # creating from a post: add it too

    def details(self) -> dict:
        """What skyframe.social.collections takes to create or update one."""
        return {
            "title": self.title.data or "",
            "description": self.description.data or "",
            "public": self.public.data,
        }


def _post_id(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 10 else None


def _add(collection, post_id: int) -> None:
    """The signed-in owner adds a post at the end of their collection."""
    collections.add_item(
        db.session,
        current_user,
        collection,
        post_id,
        max_items=current_app.config["COLLECTION_MAX_ITEMS"],
        now=utcnow(),
    )


def _back(fallback: str):
    return redirect(safe_next_path(request.form.get("next"), fallback))


@bp.get("/c/<int:collection_id>")
def collection_page(collection_id: int):
    """Swipe through a collection, in its order."""
    reader = viewer()
    collection = collections.get_collection(db.session, collection_id, reader)
    page = items_page(collection, reader, None, feed_settings().page_size)
    return render_feed(
        page,
        source_url=url_for("api.collection_items", collection_id=collection.id),
        report_seen=False,
        kind=f"collection-{collection.id}",
        template="collections/collection.html",
        collection=collection,
        is_owner=reader is not None and reader.id == collection.owner_id,
    )


@bp.route("/c/new", methods=["GET", "POST"])
@login_required
@per_user_limit("INTERACTION_LIMIT", scope="collections")
def new_collection():
    """Create a collection; from a post's "Add to collection" page, with it in."""
    form = CollectionForm(public=True) if request.method == "GET" else CollectionForm()
    if request.method == "GET":
        form.post_id.data = request.args.get("post_id", "")
    status = 200
    if form.validate_on_submit():
        now = utcnow()
        try:
            collection = collections.create_collection(
                db.session, current_user, **form.details(), now=now
            )
            post_id = _post_id(form.post_id.data)
            if post_id is not None:
                _add(collection, post_id)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            show_errors(form, exc)
            status = exc.status
        else:
            flash(f"Collection “{collection.title}” created.", "success")
            if post_id is not None:
                return redirect(url_for("main.collect_page", post_id=post_id))
            return redirect(url_for("main.arrange_collection", collection_id=collection.id))
    elif form.is_submitted():
        status = 422
    return render_template("collections/new.html", form=form), status


@bp.route("/c/<int:collection_id>/edit", methods=["GET", "POST"])
@login_required
def arrange_collection(collection_id: int):
    """The owner's page: details, the order (up/down, drag), removing, deleting."""
    collection = collections.get_own_collection(db.session, collection_id, current_user)
    form = CollectionForm(obj=collection)
    status = 200
    if form.validate_on_submit():
        try:
            collections.update_collection(
                db.session, current_user, collection, **form.details(), now=utcnow()
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            show_errors(form, exc)
            status = exc.status
        else:
            flash("Saved.", "success")
            return redirect(url_for("main.arrange_collection", collection_id=collection.id))
    elif form.is_submitted():
        status = 422
    page = items_page(collection, current_user, None, ARRANGE_LIMIT)
    return render_template(
        "collections/arrange.html",
        collection=collection,
        form=form,
        items=[item.model_dump(mode="json") for item in page.items],
        confirm=ConfirmForm(),
    ), status


@bp.post("/c/<int:collection_id>/delete")
@login_required
def delete_collection_form(collection_id: int):
    collection = collections.get_own_collection(db.session, collection_id, current_user)
    title = collection.title
    collections.delete_collection(db.session, current_user, collection)
    db.session.commit()
    flash(f"Collection “{title}” deleted.", "info")
    return redirect(url_for("main.profile_collections", handle=current_user.handle))


@bp.post("/c/<int:collection_id>/items")
@login_required
@per_user_limit("INTERACTION_LIMIT", scope="collections")
def add_item_form(collection_id: int):
    """Add the form's post (at the end) without JavaScript."""
    collection = collections.get_own_collection(db.session, collection_id, current_user)
    post_id = _post_id(request.form.get("post_id"))
    try:
        if post_id is None:
            raise DomainError("Choose a post to add.")
        _add(collection, post_id)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(next(iter(exc.fields.values()), exc.message), "error")
    else:
        flash(f"Added to “{collection.title}”.", "success")
    return _back(url_for("main.arrange_collection", collection_id=collection.id))


@bp.post("/c/<int:collection_id>/items/<int:post_id>/move")
@login_required
@per_user_limit("INTERACTION_LIMIT", scope="collections")
def move_item_form(collection_id: int, post_id: int):
    """One place up or down (``direction``) without JavaScript."""
    collection = collections.get_own_collection(db.session, collection_id, current_user)
    step = -1 if request.form.get("direction") == "up" else 1
    before = collections.neighbour_before(db.session, collection, post_id, step)
    if before is not False:
        try:
            collections.move_item(db.session, current_user, collection, post_id, before=before)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
    arrange = url_for("main.arrange_collection", collection_id=collection.id)
    return redirect(f"{arrange}#item-{post_id}")


@bp.post("/c/<int:collection_id>/items/<int:post_id>/remove")
@login_required
def remove_item_form(collection_id: int, post_id: int):
    collection = collections.get_own_collection(db.session, collection_id, current_user)
    try:
        collections.remove_item(db.session, current_user, collection, post_id)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        flash(f"Removed from “{collection.title}”.", "info")
    return _back(url_for("main.arrange_collection", collection_id=collection.id))


@bp.get("/p/<int:post_id>/collect")
@login_required
def collect_page(post_id: int):
    """ "Add to collection" without JavaScript: your collections, each with an
    add (or remove) button for this post, and a new one."""
    post = post_views.get_post(db.session, post_id, current_user)
    mine = collections.own_collections_for(db.session, current_user)
    return render_template(
        "collections/collect.html",
        post=post,
        collections=mine,
        holding=collections.holding(db.session, current_user, post.id),
        counts=collections.item_counts(db.session, [c.id for c in mine]),
        confirm=ConfirmForm(),
    )
