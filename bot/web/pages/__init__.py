"""One module per dashboard page: it reads what it shows, scoped by the viewer's area."""
