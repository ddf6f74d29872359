"""Background jobs off the request path: index backfills and large truncations, driven by the jobs queue."""
