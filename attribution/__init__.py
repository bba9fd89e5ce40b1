"""attribution: find quotes and reported claims in news, say who said them, check them against wire copy."""

__version__ = "0.1.0"
