"""Accounts: users, passwords, login sessions and devices, password resets, avatars."""
