"""People and what they do with posts: likes, saves, follows, comments, notifications, profiles."""
