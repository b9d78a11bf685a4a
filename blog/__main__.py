"""`python -m blog` runs the command line."""

from .cli import run

run()
