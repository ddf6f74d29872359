"""Runtime app settings, PocketBase's `/api/settings`: the model, where they are stored, and each instance's cache."""
