"""Webhooks: subscriptions (`_webhooks`), their signing secrets, and the deliveries of events to them."""
