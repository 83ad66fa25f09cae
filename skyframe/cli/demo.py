"""``flask seed-demo``: a realistic demo site (development and benchmarks)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from skyframe.demo.site import DEMO_PASSWORD, DemoShape
from skyframe.demo.site import seed_demo as generate
from skyframe.extensions import db
from skyframe.models import utcnow
from skyframe.services import current_storage, password_hashing


@click.command("seed-demo")
@click.option("--users", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--posts", type=click.IntRange(min=0), default=200, show_default=True)
@click.option(
    "--follows", type=click.IntRange(min=0), default=10, show_default=True, help="Follows per user."
)
@click.option(
    "--likes", type=click.IntRange(min=0), default=20, show_default=True, help="Likes per user."
)
@click.option(
    "--seen",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="Seen-history rows per user.",
)
@click.option(
    "--heavy-users",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Users with 500 follows and 30,000 seen posts.",
)
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=60,
    show_default=True,
    help="Spread uploads over this many days.",
)
@click.option(
    "--images/--no-images",
    default=None,
    help="Store generated images (default: when --posts is at most 2,000).",
)
@click.option("--seed", type=int, default=7, show_default=True)
@with_appcontext
def seed_demo(users, posts, follows, likes, seen, heavy_users, days, images, seed) -> None:
    """Fill the database with a realistic demo site (users demoN, one password)."""
    import time

    shape = DemoShape(
        users=users,
        posts=posts,
        follows_per_user=follows,
        likes_per_user=likes,
        seen_per_user=seen,
        heavy_users=min(heavy_users, users),
        days=days,
        images=posts <= 2000 if images is None else images,
        seed=seed,
    )
    started = time.perf_counter()
    report = generate(
        db.session, current_storage(), shape, utcnow(), password_hashing().hash(DEMO_PASSWORD)
    )
    db.session.commit()
    click.echo(
        f"Added {report.users} users, {report.posts} posts, {report.follows} follows, "
        f"{report.likes} likes, {report.seen} seen rows in {time.perf_counter() - started:.1f} s."
    )
    click.echo(
        f"Sign in as {report.first_user} with password {DEMO_PASSWORD}"
        + (f" (heavy user: {report.heavy_user})." if report.heavy_user else ".")
    )
