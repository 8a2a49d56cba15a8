"""The evidence vault: write-once, content-addressed blob storage, encrypted at rest by default."""
