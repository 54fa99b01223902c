import signal

from .cli import main

# Ctrl-C (and the Train page's Stop, which sends SIGINT to a job) must stop a command even when the process that
# started it ignored or blocked SIGINT: both are inherited across exec, and Python leaves an ignored SIGINT ignored.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
signal.signal(signal.SIGINT, signal.default_int_handler)
signal.signal(signal.SIGTERM, signal.SIG_DFL)

raise SystemExit(main())
