"""Counters shared by every process and kept across restarts: a `limits` storage
in SQL (sql_storage), counting in memory while the shared storage is away
(fallback), and quotas reserved a few hits at a time (shared_quota)."""
