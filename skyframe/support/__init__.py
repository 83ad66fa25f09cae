"""Support: tickets between users and staff, and appeals of moderation decisions."""
