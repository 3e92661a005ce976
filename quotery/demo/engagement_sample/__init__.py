"""Engagement sample data for `manage.py seed_engagement`: plan, then bulk-write.

planning.py draws each quote's story from a seeded random generator (the same seed gives
the same story); company.py finds or makes the company, its reps and clients; writing.py
bulk-inserts quotes, shares and chained events; acceptances.py signs the accepted ones.
"""
