"""Command-line tasks: `flask content load`."""

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from api.services.content_loader import ContentError, load_content

content_cli = AppGroup("content", help="Tips and FAQs from the data files.")


@content_cli.command("load")
def load_command() -> None:
    """Load tips and FAQs from api/content/ (safe to run again)."""
    try:
        report = load_content(current_app.config["LANGUAGES"])
    except ContentError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Content loaded: {report}")


def init_app(app: Flask) -> None:
    app.cli.add_command(content_cli)
