"""Account flows on auth collections: password sign-in and superuser management."""
