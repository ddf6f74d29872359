"""Domain-free tools (filter language, ...); nothing here imports the rest of shared."""
