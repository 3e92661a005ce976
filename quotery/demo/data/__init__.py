"""The demo companies, people, catalog, clients and quotes that `manage.py seed_demo` loads.

Plain data only; `seed_demo` turns it into rows through the services. Every email address
uses the reserved `.example` domain, so nothing here can ever reach a real mailbox.
"""
