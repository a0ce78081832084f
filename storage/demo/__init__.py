"""The demo dataset: real place names, fictional people. Loaded by ``chinwag demo load``."""
