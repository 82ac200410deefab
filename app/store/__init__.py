"""The only place with SQL: the workspace file, its migrations, repositories and audit chain."""
