"""The Report page: a data set's runs as one file to take home, HTML or PDF (built by dashboard.report)."""
