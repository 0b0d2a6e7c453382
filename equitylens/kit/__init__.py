"""kit layer."""
