"""Cron jobs as PocketBase lists and runs them: a registry, PocketBase's cron dialect, and the minute runner."""
