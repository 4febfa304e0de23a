"""Self-checks and session-checks: the instruments, scoring, stored
responses, the trend, the two-sided view and agency insights."""
