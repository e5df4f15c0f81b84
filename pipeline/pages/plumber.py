"""pdfplumber's page, with its character records built without the generic attribute walk.

pdfplumber turns every layout object into a dict by passing each of its
attributes through ``resolve_all`` (which resolves indirect references inside
lists, tuples and dicts) and decoding the colour-space name of each
character afresh. For characters that walk is a fifth of the time a page
takes to read, although their attributes are plain numbers, strings and one
tuple of numbers. ``Page.process_object`` here builds the very same dict for
a character — the same keys, in the same order, with the same values — and
leaves every other object, and any character attribute that is not plain, to
pdfplumber. tests/test_pages.py compares the two on every character of
several PDFs.
"""

from __future__ import annotations

from unicodedata import normalize as normalize_unicode

from pdfminer.layout import LTChar
from pdfplumber.page import ALL_ATTRS
from pdfplumber.page import Page as PlumberPage
from pdfplumber.utils import resolve_all, resolve_and_decode

_PLAIN = frozenset({int, float, str, bool, type(None)})


class Page(PlumberPage):
    """A pdfplumber page whose character dicts are built directly (see the module docstring)."""

    def process_object(self, obj):
        if type(obj) is not LTChar:
            return super().process_object(obj)
        attr = {}
        for key, value in obj.__dict__.items():
            if key in ALL_ATTRS:
                attr[key] = value if type(value) in _PLAIN or _plain_tuple(value) else resolve_all(value)
        attr["object_type"] = "char"
        attr["page_number"] = self.page_number
        for cs in ("ncs", "scs"):
            if hasattr(obj, cs):
                attr[cs] = self._colour_space_name(getattr(obj, cs).name)
        text = obj.get_text()
        attr["text"] = normalize_unicode(self.pdf.unicode_norm, text) if self.pdf.unicode_norm is not None else text
        state = obj.graphicstate
        attr["stroking_color"] = state.scolor if isinstance(state.scolor, tuple) else (state.scolor,)
        attr["non_stroking_color"] = state.ncolor if isinstance(state.ncolor, tuple) else (state.ncolor,)
        if not isinstance(attr.get("fontname"), str):  # bytes (rare): pdfplumber's own repair
            return super().process_object(obj)
        mb_x0, mb_top = self.mediabox[:2]
        if "y0" in attr:
            attr["top"] = (self.height - attr["y1"]) + mb_top
            attr["bottom"] = (self.height - attr["y0"]) + mb_top
            attr["doctop"] = self.initial_doctop + attr["top"]
        if "x0" in attr and mb_x0 != 0:
            attr["x0"] = attr["x0"] + mb_x0
            attr["x1"] = attr["x1"] + mb_x0
        return attr

    def _colour_space_name(self, name):
        """pdfplumber decodes each character's colour-space name; a page has only a few of them."""
        if type(name) is not str:
            return resolve_and_decode(name)
        names = self.__dict__.setdefault("_colour_space_names", {})
        if name not in names:
            names[name] = resolve_and_decode(name)
        return names[name]


def _plain_tuple(value) -> bool:
    return type(value) is tuple and all(type(v) in _PLAIN for v in value)
