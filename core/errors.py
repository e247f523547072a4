"""Errors raised by services; views, the API and the CLI each turn them into their own answer."""
from __future__ import annotations


class DomainError(Exception):
    """A request that the rules refuse; `message` is shown to the user as is (Simplified Chinese)."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class Conflict(DomainError):
    status = 409


class NotFound(DomainError):
    status = 404


class AccessDenied(DomainError):
    status = 403
