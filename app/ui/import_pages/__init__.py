"""The import wizard's pages, their table models, the plain-Python back end and the worker glue."""
