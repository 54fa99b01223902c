"""What the command line's exit statuses mean: the CLI returns them, the Train page reads a job's from here."""

EXIT_FINISHED = 0  # done; verify: the reference agrees
EXIT_SOME_FAILED = 1  # train: some runs failed; verify: the reference disagrees
EXIT_BAD_INPUT = 2  # a one-line message says what was wrong
EXIT_INTERRUPTED = 130  # Ctrl+C; unfinished runs are redone on the next start
