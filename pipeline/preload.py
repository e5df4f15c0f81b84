"""Imported once by the batch's worker forkserver: set-up that every worker would otherwise repeat.

Each worker is forked from the forkserver, so what is imported and built
here (the stage modules, camelot with OpenCV, the pandera schemas) is
ready in every worker at no further cost.
"""

import camelot  # noqa: F401  (the table stage imports it lazily)

import pipeline  # noqa: F401
from pipeline.errors import quiet_libraries
from schemas.validate import MODELS

quiet_libraries()  # workers are forked from here: the CLI's setting does not reach them otherwise

for _model in MODELS.values():
    _model.to_schema()
