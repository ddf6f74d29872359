"""OAuth2 API tests, which share the module fixtures of their conftest."""
