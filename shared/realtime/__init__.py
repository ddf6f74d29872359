"""Realtime over API Gateway WebSockets: connections, protocol and delivery."""
