"""factsite: a static site generator for fact checks of news articles.

Pipeline (one module per stage): ``load`` reads the project, ``validate``
checks it and builds the model, ``anchor`` finds each claim's quote in its
article, ``render`` makes the pages in memory, ``write`` swaps them in.
``pipeline`` strings them together; ``build.py`` is the command line.
"""

from .diagnostics import BuildFailed, Problem
from .pipeline import build_site, check_project, check_site

__all__ = ["BuildFailed", "Problem", "build_site", "check_project", "check_site"]
