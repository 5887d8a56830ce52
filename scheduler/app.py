"""What every CLI command shares: the loaded configuration, the open store, error handling.

Domain errors (bad configuration, unreachable database) become ``click.ClickException`` here,
at the edge, so the user reads one clear message and the command exits non-zero.
"""

from __future__ import annotations

import logging
from datetime import date
from functools import cached_property

import click
from sqlalchemy import Engine

from scheduler import logs
from scheduler.config import Config, ConfigError, load
from scheduler.jobs import prepare_store
from store.db import StoreError, make_engine

log = logging.getLogger(__name__)


class App:
    """Lazily loads the configuration and opens (and upgrades) the store once per command."""

    def __init__(self, config_file: str | None, verbosity: int = 0, quiet: bool = False):
        self.config_file = config_file
        self.verbosity = verbosity
        self.quiet = quiet

    @cached_property
    def config(self) -> Config:
        try:
            config = load(self.config_file)
        except ConfigError as exc:
            raise click.ClickException("invalid configuration:\n" + str(exc)) from None
        level = "DEBUG" if self.verbosity > 0 else ("WARNING" if self.quiet else config.log_level)
        logs.setup(level)
        return config

    @cached_property
    def engine(self) -> Engine:
        """The store, upgraded to the current schema, with watches, dossiers and seeds saved."""
        try:
            engine = make_engine(self.config.database_url)
            prepare_store(self.config, engine)
        except StoreError as exc:
            raise click.ClickException(str(exc)) from None
        return engine

    def raw_engine(self) -> Engine:
        """The store without the automatic upgrade (for `veilleur db`)."""
        try:
            return make_engine(self.config.database_url)
        except StoreError as exc:
            raise click.ClickException(str(exc)) from None


pass_app = click.make_pass_decorator(App)


class ParisDate(click.ParamType):
    """A calendar date written 2025-03-31."""

    name = "DATE"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date like 2025-03-31", param, ctx)


DATE = ParisDate()
