"""The audit log API (superusers): list, view and filter the entries of every record change."""
