"""``veilleur site build``: render the timeline site from the store."""

from __future__ import annotations

from pathlib import Path

import click

from scheduler.app import App, pass_app
from scheduler.jobs import build_site_job as build


@click.group("site")
def site_group() -> None:
    """The static timeline site."""


@site_group.command("build")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output directory (default: the site_dir setting).",
)
@click.option("--force", is_flag=True, help="Render every page, changed or not.")
@pass_app
def site_build(app: App, out: Path | None, force: bool) -> None:
    """Render the store into a static site (only pages whose content changed are rewritten)."""
    target = out or Path(app.config.site_dir)
    try:
        report = build(app.config, app.engine, target, force)
    except OSError as exc:
        raise click.ClickException(f"cannot write the site to {target}: {exc}") from None
    click.echo(
        f"{target}: {report.written} file(s) written, {report.unchanged} unchanged, "
        f"{report.removed} removed; open {target / 'index.html'}"
    )
