"""SQLAlchemy models; importing this package registers every table with the metadata."""

from api.models.content import Faq, FaqTranslation, Tip, TipTag, TipTranslation

__all__ = ["Faq", "FaqTranslation", "Tip", "TipTag", "TipTranslation"]
