"""The limits of one aggregate request: every one is a 400 past it, named in its message."""

from __future__ import annotations

# group-by terms of one request (and row + column terms of a pivot)
MAX_GROUP_BY = 3
# metrics of one request
MAX_METRICS = 8
# groups held while aggregating: past them the request is refused, not truncated
MAX_GROUPS = 5_000
# groups answered on one page
DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 500
# the rows and the columns of one pivot
MAX_PIVOT_ROWS = 1_000
MAX_PIVOT_COLUMNS = 200
# length of each parameter's text
MAX_PARAM_LENGTH = 1_000
# sort keys over the groups
MAX_SORT_KEYS = 4
