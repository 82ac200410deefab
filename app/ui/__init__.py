"""Everything Qt Widgets: the main window, dialogs, models and the task runner."""
