"""Transports: turn a chat platform's updates into ``handlers`` events and render replies."""
