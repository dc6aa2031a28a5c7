"""The Textual interface: presentation only; every decision is made by the services."""
