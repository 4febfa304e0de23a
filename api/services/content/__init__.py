"""What everyone may read: tips, FAQs, crisis lines, an agency's own
content, the files they are loaded from, and their feeds."""
