"""What integrators build on: OAuth 2.1 apps and their grants (oauth), the scopes they may
ask for (scopes), and signed webhooks (webhooks)."""
