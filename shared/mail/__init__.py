"""Outgoing mail: the message model, PocketBase's template placeholders, and senders (SES, local outbox)."""
