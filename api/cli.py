"""Command-line tasks: `flask content load`, `flask agency create`, `flask idempotency purge`.

Each runs as one unit of work (api.db.unit_of_work): all of it commits, or none.
"""

import click
from flask import Flask
from flask.cli import AppGroup

from api.db import idempotency_keys as idempotency
from api.db.unit_of_work import unit_of_work
from api.lib.content_files import ContentError
from api.lib.languages import LANGUAGES
from api.services.accounts.people import AccountError, create_agency
from api.services.loading import load_content

content_cli = AppGroup("content", help="Tips and FAQs from the data files.")


@content_cli.command("load")
def load_command() -> None:
    """Load tips and FAQs from api/content/ (safe to run again)."""
    try:
        with unit_of_work():
            report = load_content(LANGUAGES)
    except ContentError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Content loaded: {report}")


agency_cli = AppGroup("agency", help="Agencies and their admins.")


@agency_cli.command("create")
@click.argument("name")
@click.option("--admin-email", required=True, help="Email of the agency's first admin.")
@click.option("--admin-password", prompt=True, hide_input=True, confirmation_prompt=True,
              envvar="RAPPORT_ADMIN_PASSWORD", help="Asked for when not given.")
def create_agency_command(name: str, admin_email: str, admin_password: str) -> None:
    """Create an agency and its first admin account."""
    try:
        with unit_of_work():
            agency, admin = create_agency(name, admin_email, admin_password)
    except AccountError as exc:
        raise click.ClickException(f"{exc.field}: {exc.message}") from exc
    click.echo(f"Agency {agency.name!r} created (id {agency.id}); admin {admin.email} "
               "can now sign in.")


idempotency_cli = AppGroup("idempotency", help="Idempotency keys and their kept answers.")


@idempotency_cli.command("purge")
def purge_command() -> None:
    """Drop keys (and the answers kept with them) older than 30 days. Run it daily."""
    with unit_of_work():
        removed = idempotency.purge_expired()
    click.echo(f"Idempotency keys removed: {removed}")


def init_app(app: Flask) -> None:
    app.cli.add_command(content_cli)
    app.cli.add_command(agency_cli)
    app.cli.add_command(idempotency_cli)
