"""The event catalogue: what record, auth and system events carry on EventBridge, to webhooks and the audit log."""
