"""督办 and 问责: escalating overdue rectification items, and the office's accountability records."""
