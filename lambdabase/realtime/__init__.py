"""Lambdabase's realtime client, sync and async, of the WebSocket protocol in docs/api-realtime.md."""

from lambdabase.realtime.client import RealtimeClient
from lambdabase.realtime.discovery import discover
from lambdabase.realtime.errors import RealtimeError
from lambdabase.realtime.sync import SyncRealtimeClient
from lambdabase.realtime.topics import subscription_key

__all__ = ["RealtimeClient", "RealtimeError", "SyncRealtimeClient", "discover", "subscription_key"]
