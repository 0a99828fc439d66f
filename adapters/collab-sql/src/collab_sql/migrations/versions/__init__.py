"""The revisions of the SQL store's schema, oldest first; each one is frozen once released."""
