"""The audit log: one append-only entry per record change, from the change stream, read by superusers."""
