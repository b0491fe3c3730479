"""Школьный радар: data access, loading and the command line around the analytics."""
