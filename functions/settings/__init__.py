"""The settings function: PocketBase's /api/settings (superusers only)."""
