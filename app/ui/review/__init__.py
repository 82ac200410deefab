"""The review screen: queue, filters, case view, decisions, progress."""
