"""The view query's hard limits, each with its reason (as shared/tools/filter/limits.py)."""

# A view query is a collection definition, not a report: PocketBase has no limit, ours keeps the parse and the
# per-change evaluation cheap (each source change re-evaluates every column and the WHERE).
MAX_QUERY_LENGTH = 5_000
# Columns of one view; each is a field of the view collection.
MAX_COLUMNS = 100
# LEFT JOINs: each is one more record read per changed row, and one more reverse-index read per joined change.
MAX_JOINS = 5
# Expression nodes over the whole query (columns, WHERE), bounding evaluation work per row.
MAX_NODES = 1_000
