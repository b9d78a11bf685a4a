"""blog: a static blog engine for technical writers."""

__version__ = "0.1.0"
