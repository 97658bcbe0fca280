"""Read-only views over the desk for supervisors: the live board and its forecast."""
