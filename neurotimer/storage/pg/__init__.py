"""The session log on a PostgreSQL server: the same store, another engine (several workstations)."""
