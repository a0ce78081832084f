"""Find my officer: the resident's policing team by postcode, location or place name."""
