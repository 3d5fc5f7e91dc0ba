"""Errors that the CLI maps to exit codes.

`InputError` means the user's input or configuration is wrong (exit 2, one line naming the key path,
file:line, URL or row). Anything else is a failure of ours or of the environment (exit 1). Third-party
exceptions are translated into these at the boundary where we know what the user was doing.
"""

from __future__ import annotations


class RykteError(Exception):
    """Base class for errors with a message fit for a user."""

    exit_code = 1


class InputError(RykteError):
    """Bad input or configuration: the message names the key path, file:line, URL or row."""

    exit_code = 2


class ConfigError(InputError):
    """The configuration file is invalid."""
