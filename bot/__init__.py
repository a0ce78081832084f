"""The Chinwag application: settings, CLI, transports and wiring around ``handlers``."""
