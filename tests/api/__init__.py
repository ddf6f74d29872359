"""The API scenario suite on the in-process local stack (a package, so its package-scoped stack ends with it)."""
