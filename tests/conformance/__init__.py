"""Differential conformance suite: the real PocketBase and the Lambdabase local stack, same requests, same answers."""
