"""A region's files in: reading, mapping foreign layouts, validation, import."""
