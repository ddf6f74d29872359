"""View collections: PocketBase's `viewQuery`, parsed to a maintained subset, materialized and kept fresh."""
