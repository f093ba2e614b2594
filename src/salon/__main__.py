"""`python -m salon` is the `salon` command."""

from salon.cli import app

app(prog_name="salon")
