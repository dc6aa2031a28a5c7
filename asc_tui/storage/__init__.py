"""Persistence: SQLModel tables, the database engine and its migrations."""
