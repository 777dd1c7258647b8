"""What leaves a run: run files, Chrome/CSV exports, the summary in numbers,
and the command line's standard output."""
