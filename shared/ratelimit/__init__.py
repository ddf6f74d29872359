"""API-wide rate limiting with PocketBase's rules, counted in DynamoDB so limits hold across Lambdas."""
