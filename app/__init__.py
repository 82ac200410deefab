"""ClearSlate: offline bulk relief for old cannabis convictions."""

__version__ = "0.1.0"
APP_NAME = "ClearSlate"
ORG_NAME = "ClearSlate"
WORKSPACE_SUFFIX = ".clearslate"
