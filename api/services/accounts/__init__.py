"""People and their sessions: workers, peers and agency admins (people),
signing in and its limits (logins, devices, throttle, sessions),
agencies' API keys, and a person's rights over their data (privacy)."""
