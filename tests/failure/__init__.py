"""Failure tests: crashes, outages of the database and of Redis (marker `failure`)."""
