"""All content from its files at once: tips and FAQs, then the survey instruments that point
to the tips (`flask content load`, and every fresh database)."""

from pathlib import Path

from api.extensions import db
from api.lib.content_files import CONTENT_DIR
from api.services.content.content_loader import LoadReport, load_tips_and_faqs
from api.services.surveys import instruments


def load_content(languages, directory: Path = CONTENT_DIR) -> LoadReport:
    """Bring the database in line with the content files (all or nothing: run it in one
    unit of work, as `flask content load` does)."""
    report = LoadReport()
    tip_slugs = load_tips_and_faqs(directory, languages, report)
    created, unchanged = instruments.load(languages, tip_slugs, directory / "surveys")
    report.created += created
    report.unchanged += unchanged
    db.session.flush()
    return report
