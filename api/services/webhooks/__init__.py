"""Webhooks per the Standard Webhooks specification: endpoints, events, and their delivery."""
