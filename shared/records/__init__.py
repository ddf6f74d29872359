"""Records: storage on DynamoDB, the query planner, rules, expand and the CRUD logic."""
