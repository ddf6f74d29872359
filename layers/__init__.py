"""Lambda layer and function code staging for the CDK app."""
