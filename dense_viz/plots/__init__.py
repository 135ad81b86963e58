"""matplotlib builders: take an Axes or Figure, return the artists drawn; update functions change them."""
