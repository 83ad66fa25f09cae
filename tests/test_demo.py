"""flask seed-demo: a consistent demo site, on both databases."""

from __future__ import annotations

from sqlalchemy import func, select

from skyframe.demo.site import DEMO_PASSWORD
from skyframe.extensions import db
from skyframe.models import FeedSeen, Follow, Post, PostLike, PostMedia
from tests.conftest import login


def test_seed_demo_builds_a_consistent_site_people_can_use(app, runner, client):
    result = runner.invoke(
        args=[
            "seed-demo",
            "--users",
            "12",
            "--posts",
            "16",
            "--follows",
            "4",
            "--likes",
            "5",
            "--seen",
            "3",
            "--heavy-users",
            "1",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Added 12 users, 16 posts" in result.output
    with app.app_context():
        session = db.session
        assert session.scalar(select(func.count()).select_from(Post)) == 16
        # Like counters agree with the likes; nobody follows themselves.
        for post in session.scalars(select(Post)):
            likes = session.scalar(select(func.count()).where(PostLike.post_id == post.id))
            assert post.like_count == likes
        assert not session.scalar(
            select(func.count()).where(Follow.follower_id == Follow.followee_id)
        )
        # Nobody likes or sees a post before it is uploaded.
        for model, moment in ((PostLike, PostLike.created_at), (FeedSeen, FeedSeen.seen_at)):
            early = select(func.count()).select_from(model).join(Post, Post.id == model.post_id)
            assert not session.scalar(early.where(moment < Post.created_at))
        per_follower = session.execute(
            select(Follow.follower_id, func.count()).group_by(Follow.follower_id)
        ).all()
        assert max(count for _, count in per_follower) == 11  # the heavy user: everyone else
        assert session.scalar(select(func.count()).select_from(FeedSeen)) > 0
        # Every post has stored, servable renditions.
        media = session.scalars(select(PostMedia).where(PostMedia.kind == "thumb")).all()
        assert len(media) == 32
    assert client.get(f"/media/{media[0].key}").status_code == 200
    handle = result.output.split("Sign in as ")[1].split()[0]
    assert login(client, handle, DEMO_PASSWORD).status_code == 200
    assert len(client.get("/api/v1/feed").get_json()["items"]) > 0


def test_seed_demo_refuses_nonsense(runner):
    assert runner.invoke(args=["seed-demo", "--users", "0"]).exit_code != 0


def test_feed_purge_seen_deletes_only_expired_rows(app, runner, make_user, make_post):
    from datetime import timedelta

    from skyframe.models import utcnow

    reader = make_user("reader")
    posts = [make_post(reader) for _ in range(2)]
    with app.app_context():
        db.session.add_all(
            [
                FeedSeen(
                    user_id=reader.id, post_id=posts[0], seen_at=utcnow() - timedelta(days=31)
                ),
                FeedSeen(user_id=reader.id, post_id=posts[1], seen_at=utcnow()),
            ]
        )
        db.session.commit()
    result = runner.invoke(args=["feed", "purge-seen"])
    assert result.exit_code == 0, result.output
    assert "1 expired seen row(s) deleted." in result.output
    with app.app_context():
        assert list(db.session.scalars(select(FeedSeen.post_id))) == [posts[1]]
