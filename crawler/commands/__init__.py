"""Subcommands of the ``crawler`` CLI, one module each (see crawler/cli.py)."""
