"""Authentication building blocks: JWTs, refresh sessions, password policy and sign-in throttling."""
