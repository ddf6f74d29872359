"""Public forms: a `_views` record of type form, answered and submitted without auth (docs/api-views.md)."""
