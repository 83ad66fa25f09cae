"""Live observing sessions (SPEC §9, seed 004): channels, sessions and their
frames, who watches, and hosting (``skyframe.live.hosting``)."""
