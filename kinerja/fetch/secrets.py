"""Credentials of the source systems: where they come from, and keeping them out of every message.

A secret is never written in the sources file itself. The file names where it is, as a small table:

- ``{ env = "KINERJA_SIMPEG_PASSWORD" }``: an environment variable of the worker;
- ``{ secret = "kinerja-simpeg-password" }``: a Prefect Secret block on the server.

Every value resolved from such a reference is remembered in a :class:`Secrets` collection, and every
message the fetch step logs, records or raises goes through :meth:`Secrets.scrub` first: the values
are replaced by ``***`` (after :func:`kinerja.safety.redact`, which stars URL passwords and the
run's own secrets).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

from kinerja.safety import MIN_SECRET_LENGTH, redact


class SecretError(ValueError):
    """A secret reference that cannot be resolved (the message never holds a secret value)."""


@dataclass(frozen=True)
class SecretRef:
    """Where a credential is: an environment variable (``env``) or a Prefect Secret block (``block``)."""

    env: str | None = None
    block: str | None = None

    def __str__(self) -> str:
        return f"environment variable {self.env}" if self.env else f"Prefect Secret block {self.block!r}"


def parse_ref(value: object, where: str) -> SecretRef:
    """``{ env = "NAME" }`` or ``{ secret = "block-name" }``; anything else is refused (ValueError)."""
    if isinstance(value, dict) and len(value) == 1:
        (kind, name), = value.items()
        if kind == "env" and isinstance(name, str) and name:
            return SecretRef(env=name)
        if kind == "secret" and isinstance(name, str) and name:
            return SecretRef(block=name)
    raise ValueError(f"{where} must name where the secret is kept, as {{ env = \"VARIABLE\" }} or "
                     "{ secret = \"prefect-secret-block\" }, never the secret itself")


def load_block(name: str) -> str:
    """The value of a Prefect Secret block (needs the Prefect API)."""
    from prefect.blocks.system import Secret

    value = Secret.load(name).get()
    return value if isinstance(value, str) else str(value)


@dataclass
class Secrets:
    """The secret values resolved so far, to scrub from every message."""

    values: set[str] = field(default_factory=set)

    def resolve(self, ref: SecretRef, where: str) -> str:
        if ref.env:
            value = os.environ.get(ref.env)
            if not value:
                raise SecretError(f"{where}: the environment variable {ref.env} is not set")
        else:
            try:
                value = load_block(ref.block)
            except Exception as exc:  # no such block, or the API unreachable: the type says which
                raise SecretError(f"{where}: the Prefect Secret block {ref.block!r} could not be read "
                                  f"({type(exc).__name__})") from None
            if not value:
                raise SecretError(f"{where}: the Prefect Secret block {ref.block!r} is empty")
        self.values.add(value)
        return value

    def scrub(self, text: object, *urls: str | None) -> str:
        """``text`` with every known secret replaced by ``***`` (and URL passwords starred)."""
        out = redact(str(text), *urls)
        for secret in sorted(self.values, key=len, reverse=True):
            if len(secret) >= MIN_SECRET_LENGTH:
                out = out.replace(secret, "***")
        return out


class ScrubbedLog(logging.LoggerAdapter):
    """A logger (or a Prefect run logger) whose every message is scrubbed of the secrets before it is
    emitted: what a source answers may quote a credential (an error page echoing a request header)."""

    def __init__(self, logger: logging.Logger | logging.LoggerAdapter, secrets: Secrets):
        super().__init__(logger, {})
        self.secrets = secrets

    def log(self, level, msg, *args, **kwargs):
        if self.isEnabledFor(level):
            text = str(msg) % args if args else str(msg)
            kwargs.pop("exc_info", None)  # a traceback may quote a secret: the message says what failed
            self.logger.log(level, self.secrets.scrub(text), **kwargs)
