"""Storage: the DuckDB file, its base tables, derived tables and settings presets."""
