"""Pure domain logic of collections, their fields and records (no AWS, no HTTP, no storage)."""
