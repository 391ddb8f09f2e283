"""Schema revisions, oldest first: 0001 (initial), 0002 (therapy column and parameter snapshot)."""
