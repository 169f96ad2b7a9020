"""The session log: SQLite store, migrations, export and verify. No Qt."""
