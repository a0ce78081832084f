"""The community directory: what already exists near a resident, and how it grows."""
