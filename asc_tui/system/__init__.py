"""The operating system's edges: paths, logs, private files, the browser, fault and timing hooks."""
