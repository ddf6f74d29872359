"""The change stream backbone: record changes decoded from DynamoDB Streams and fanned out."""
