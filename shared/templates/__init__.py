"""Templates: collections, saved views and sample data in one versioned file, applied all-or-nothing."""
