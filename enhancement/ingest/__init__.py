"""Corpus ingest: sources (folder, zip, S3), per-file checks, the sidecar CSV, and the service
that stores what passes (service.py, the only part that touches Django)."""
