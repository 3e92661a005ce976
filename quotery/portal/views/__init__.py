"""HTTP for the portal: the client pages (client.py) and the rep's sharing actions (rep.py)."""
