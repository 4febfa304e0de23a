"""Reminders and alerts by Web Push: devices, what to tell them, when, and sending it."""
