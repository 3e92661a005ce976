"""Reliability under pressure: real parallel HTTP requests, mail server outages and killed
workers, on PostgreSQL (SECURITY.md 18, 20)."""
