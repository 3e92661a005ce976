"""What `manage.py verify` checks, and how it words what it finds (SECURITY.md 12-17, 28).

Per quote: its event chain (`quotes`), the chain's head, and, once accepted, the
acceptance with its chain, revision and stored PDF, the record sealed into that PDF
(`sealed_pdf`) and the hash the acceptance emails carried (`acceptance`). A PDF someone
holds is checked by `sealed_pdf.pdf_file_checks`.
"""
