"""Live observing sessions: channels, frames, real-time events and hosting."""
