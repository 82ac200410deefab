"""Use cases that the command line and the window both call: plain synchronous functions."""
