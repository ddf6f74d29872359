"""OAuth2 and OpenID Connect sign-in: the provider interface, one module per provider, discovery and the flow."""
