"""segscribe: evidence-cited customer segments and personas."""

__version__ = "0.1.0"
