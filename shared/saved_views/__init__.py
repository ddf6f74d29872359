"""Saved views (`_views`): what a view holds, checked on save, and reading records through one.

See docs/api-views.md.
"""
