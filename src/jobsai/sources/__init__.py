"""Sources: turn the outside world (JobStream, files, the demo set) into ads and removals."""
