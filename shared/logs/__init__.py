"""Request logs: what one request's log holds, how it is emitted, stored, queried and counted per hour."""
