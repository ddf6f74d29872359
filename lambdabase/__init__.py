"""Lambdabase's client library for apps: `lambdabase.realtime`, the WebSocket realtime client (sync and async)."""
