"""Importing this module does the set-up every report would otherwise do on its way through the stages.

The batch's worker forkserver imports it once, so each worker forked from
the forkserver starts with it done; a lone report imports it while its
pages are being read in worker processes (page_workers.parallel). It
imports the stage modules and the libraries they import on first use
(camelot with OpenCV, cn2an, jieba with its dictionary, pypdfium2 and Pillow's PNG writer), builds the
pandera schemas and registers pandera's validation backends. It touches
nothing but public names: a preload that fails would take the batch's
forkserver down with it.
"""

import sys
import types

import camelot  # noqa: F401  (the table stage imports it lazily)
import cn2an  # noqa: F401  (numbers imports it on first use; importing it builds its patterns)
import pandas as pd
import pandera.errors
import pypdfium2  # noqa: F401  (the audit's crops)
from PIL import ImageDraw, PngImagePlugin  # noqa: F401  (the audit's crops)

from pipeline import audit, cases, claims, frames, indicators, publish, reconcile, review, sections, tables  # noqa: F401
from pipeline.claims.subjects import tokenizer
from pipeline.errors import quiet_libraries
from schemas.validate import MODELS

tokenizer()  # jieba, with the template's terms as its dictionary
quiet_libraries()  # workers are forked from here: the CLI's setting does not reach them otherwise

# Building a pandera model asks pandera.typing.dask whether Dask frames exist, and that module finds out by
# importing dask.dataframe: a third of a second for frames the pipeline never has (they are pandas frames).
# Told that there are none, pandera builds the same schemas. The stand-in stays for the life of the
# process; nothing in vetreport uses pandera's Dask types.
if "pandera.typing.dask" not in sys.modules and "dask.dataframe" not in sys.modules:
    _no_dask = types.ModuleType("pandera.typing.dask", "Stands in for pandera's Dask typing: no Dask frames here.")
    _no_dask.DASK_INSTALLED = False
    sys.modules["pandera.typing.dask"] = _no_dask

for _model in MODELS.values():
    _model.to_schema()
try:  # pandera registers its validation backends (and imports hypothesis) on a first validation
    MODELS["pages"].validate(pd.DataFrame(), lazy=True)
except pandera.errors.SchemaErrors:
    pass
