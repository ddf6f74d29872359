"""Backups: archives of every table and of the files bucket, created and restored as background jobs."""
