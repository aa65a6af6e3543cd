"""The web view's pages, one module per page family, each a Flask blueprint; the JSON API and metrics."""
