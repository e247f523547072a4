"""Electronic government gazette: issues, articles, PDF and archive."""
