"""The command line: `asc-tui` opens the TUI; its subcommands script the same services."""

from asc_tui.cli.main import main

__all__ = ["main"]
