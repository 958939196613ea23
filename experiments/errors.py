"""User-facing errors: each carries one line that names the bad key or value and what is allowed.

The CLI prints ``error: <message>`` and exits with status 2, with no traceback.
"""


class UserError(Exception):
    """A mistake in what the user asked for (config, options, paths)."""


class ConfigError(UserError, ValueError):
    """An experiment file or override that does not validate."""
