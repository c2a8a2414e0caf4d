"""The metric chart and its parts: rendering, ticks, view keys, the plotext view.

plotext's package import runs its documentation module (``plotext._doc.doc``: ~0.1–0.2 s of
docstring parsing, a third of the chart's first frame when the app opens on a run); nothing here
reads ``plotext.doc``, so an empty module stands in for it before plotext is first imported.
"""

import sys as _sys
import types as _types

if "plotext" not in _sys.modules:
    _sys.modules.setdefault("plotext._doc.doc", _types.SimpleNamespace(docs=None))  # type: ignore[arg-type]
