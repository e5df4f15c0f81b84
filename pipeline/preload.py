"""Importing this module does the set-up every report would otherwise do on its way through the stages.

The batch's worker forkserver imports it once, so each worker forked from
the forkserver starts with it done; a lone report imports it while its
pages are being read in worker processes (page_workers.parallel). It
imports the stage modules and the libraries they import lazily (camelot
with OpenCV, jieba), builds the pandera schemas and loads jieba's
dictionary of the template's terms.
"""

import camelot  # noqa: F401  (the table stage imports it lazily)

from pipeline import audit, cases, claims, frames, indicators, publish, reconcile, review, sections, tables  # noqa: F401
from pipeline.errors import quiet_libraries
from schemas.validate import MODELS

quiet_libraries()  # workers are forked from here: the CLI's setting does not reach them otherwise

for _model in MODELS.values():
    _model.to_schema()

claims._tokenizer().initialize()  # jieba's dictionary of the template's terms, loaded on first use
