"""After a load run: does the site hold exactly what its clients did?

    python loadtest/check.py LEDGER.json   # with the app's settings (SKYFRAME_ENV_FILE)

Compares the database and the storage with the ledger the simulated users
wrote (loadtest/locustfile.py):

- every like, save and follow a user ended with exists, and none they undid;
- every accepted comment exists once (one whose answer was lost: at most
  once), and no load user has a comment the ledger does not know;
- every post's like, save and comment counters equal its rows (all posts);
- every accepted upload is a post, ready with all its files in the storage
  or failed with a reason; and no stored file lacks its row.

Prints a JSON report; exit status 1 when anything differs.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DRAIN_SECONDS = 180


def main() -> int:
    if len(sys.argv) != 2:
        raise SystemExit(f"usage: {sys.argv[0]} LEDGER.json")
    ledger = json.loads(Path(sys.argv[1]).read_text())
    from skyframe import create_app

    app = create_app()
    with app.app_context():
        report = check(ledger)
    print(json.dumps(report, indent=2))
    return 0 if report["ok"] else 1


def check(ledger: dict) -> dict:
    from sqlalchemy import func, select

    from skyframe.extensions import db
    from skyframe.models import Comment, Follow, Post, PostLike, PostMedia, PostSave, User
    from skyframe.services import current_storage

    session = db.session
    problems: list[str] = []
    users = dict(session.execute(select(User.handle, User.id)).all())
    handles = {user_id: handle for handle, user_id in users.items()}

    def pairs(model, left, right) -> set[tuple[int, int]]:
        return set(session.execute(select(left, right)).all())

    def compare(kind: str, rows: set, to_key) -> None:
        for key, wanted in ledger[kind].items():
            held = to_key(key) in rows
            if held != wanted:
                problems.append(f"{kind}: {key} is {'there' if held else 'missing'}")

    likes = pairs(PostLike, PostLike.user_id, PostLike.post_id)
    saves = pairs(PostSave, PostSave.user_id, PostSave.post_id)
    follows = pairs(Follow, Follow.follower_id, Follow.followee_id)

    def user_post(key: str) -> tuple:
        handle, post_id = key.split("|")
        return users.get(handle), int(post_id)

    def user_user(key: str) -> tuple:
        follower, followee = key.split("|")
        return users.get(follower), users.get(followee)

    compare("likes", likes, user_post)
    compare("saves", saves, user_post)
    compare("follows", follows, user_user)

    # Counters kept in step with their rows, on every post.
    counted = {
        "like_count": Counter(post_id for _, post_id in likes),
        "favorite_count": Counter(post_id for _, post_id in saves),
        "comment_count": Counter(session.scalars(select(Comment.post_id)).all()),
    }
    for post_id, like_count, favorite_count, comment_count in session.execute(
        select(Post.id, Post.like_count, Post.favorite_count, Post.comment_count)
    ):
        for name, value in (
            ("like_count", like_count),
            ("favorite_count", favorite_count),
            ("comment_count", comment_count),
        ):
            if value != counted[name][post_id]:
                problems.append(f"post {post_id}: {name} {value}, rows {counted[name][post_id]}")

    # Comments: accepted once, lost answers at most once, nothing unknown.
    load_users = {users[handle] for handle in ledger["users"] if handle in users}
    bodies = Counter(
        body
        for (body,) in session.execute(
            select(Comment.body).where(Comment.author_id.in_(load_users or {0}))
        )
    )
    known = {comment["body"]: comment["outcome"] for comment in ledger["comments"]}
    for body, outcome in known.items():
        found = bodies.get(body, 0)
        if (outcome == "accepted" and found != 1) or found > 1:
            problems.append(f"comment {body!r} ({outcome}) stored {found} times")
    problems += [f"comment {body!r} not in the ledger" for body in bodies if body not in known]

    # Uploads: wait for the queue to finish them, then files both ways.
    accepted = {upload["id"] for upload in ledger["uploads"]}
    deadline = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < deadline:
        waiting = session.scalar(
            select(func.count()).select_from(Post).where(Post.status == "processing")
        )
        session.rollback()
        if not waiting:
            break
        time.sleep(1)
    posts = {post.id: post for post in session.scalars(select(Post))}
    media = {key: size for key, size in session.execute(select(PostMedia.key, PostMedia.bytes))}
    avatars = set(session.scalars(select(User.avatar_key).where(User.avatar_key.is_not(None))))
    stored = dict(current_storage().files())
    statuses = Counter()
    for post_id in accepted:
        post = posts.get(post_id)
        if post is None:
            problems.append(f"upload {post_id}: accepted, but no post")
            continue
        statuses[str(post.status)] += 1
        if str(post.status) == "failed" and not post.failure_reason:
            problems.append(f"upload {post_id}: failed without a reason")
        if str(post.status) == "processing":
            problems.append(f"upload {post_id}: still processing after {DRAIN_SECONDS} s")
    for key, size in media.items():
        if stored.get(key) != size:
            problems.append(f"file {key}: row says {size} bytes, storage {stored.get(key)}")
    orphans = [key for key in stored if key not in media and key not in avatars]
    problems += [f"file {key}: stored, but no row" for key in orphans[:20]]
    if len(orphans) > 20:
        problems.append(f"… and {len(orphans) - 20} more files without a row")

    return {
        "ok": not problems,
        "problems": problems[:100],
        "users": len(ledger["users"]),
        "likes_checked": len(ledger["likes"]),
        "saves_checked": len(ledger["saves"]),
        "follows_checked": len(ledger["follows"]),
        "comments_checked": len(known),
        "uploads_accepted": len(accepted),
        "uploads_by_status": dict(statuses),
        "files_stored": len(stored),
        "posts": len(posts),
        "users_total": len(handles),
    }


if __name__ == "__main__":
    sys.exit(main())
