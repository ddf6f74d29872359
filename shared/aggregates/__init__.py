"""Aggregates, pivots and statistics over a collection's records (docs/api-views.md)."""
