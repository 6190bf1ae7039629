"""billdiff: compare laws and bills provision by provision.

The core (model, load, align, diff, compare) is a plain library with no web imports;
the CLI (:mod:`billdiff.cli`) and the web app (:mod:`billdiff.web`) are thin doors into it.
"""

__version__ = "0.1.0"
