"""overlap's version, in a module of its own.

Modules that record the version (reports, graphs, the index manifest) import
it from here, not from the package ``__init__``, which imports them: taking it
from there would make every such module part of an import cycle.
"""

__version__ = "0.1.0"
