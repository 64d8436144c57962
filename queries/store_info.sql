-- When and from what the store was built.
SELECT key, value FROM meta ORDER BY key;
