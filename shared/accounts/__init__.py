"""Account flows on auth collections: sign-in, refresh, sessions, verification, password reset, email change,
impersonation and the password policy, over the auth primitives of shared.auth and the records service."""
