"""The catalog of collections: their storage, cache and the layout of their indexes on DynamoDB."""
