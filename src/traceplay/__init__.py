"""traceplay: an interactive distributed-tracing simulator for learning."""

__version__ = "0.1.0"
