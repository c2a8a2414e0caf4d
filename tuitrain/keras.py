"""For your own training scripts: ``from tuitrain.keras import LiveRun``.

``model.fit(x, y, callbacks=[LiveRun()])`` writes a run directory that ``tuitrain attach``,
``tuitrain runs``, ``tuitrain metrics``, ``tuitrain diff`` and the runs screen read like one
the trainer wrote (the trainer uses this same callback). Stop and pause requests from the
app are honoured between batches.
"""

from tuitrain.trainer.liverun import LiveRun

__all__ = ["LiveRun"]
