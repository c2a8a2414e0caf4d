"""The run's Keras callbacks, one job each; ``LiveRun`` (``trainer/liverun.py``) puts them together.

- :class:`EventLog` writes batch and epoch rows with samples/s to ``events.jsonl``;
- :class:`RunControl` acts on stop/pause requests (``control.jsonl``, signals) between batches;
- :class:`StopOnNaN` is Keras' own ``TerminateOnNaN`` that also says where the loss went bad;
- :class:`BestMetrics` keeps each metric's best epoch value (``best`` in run.json);
- :class:`RunProgress` refreshes run.json's progress fields every few seconds.

They assume Keras calls them in order on one thread, as it does with TensorFlow (Keras marks
that backend not thread-safe, ``IS_THREAD_SAFE = False``, and so never dispatches batch hooks
to its worker pool). None declares ``async_safe``: on a backend that may dispatch
``on_train_batch_end`` to several threads at once, Keras then calls these in order too.
Control lives in ``on_train_batch_begin``, always called on the training thread: the one hook
where sleeping pauses training, and where ``model.stop_training`` takes effect after the batch
about to run.
"""

from tuitrain.trainer.callbacks.best_metrics import BestMetrics
from tuitrain.trainer.callbacks.event_log import EventLog
from tuitrain.trainer.callbacks.rate_meter import RateMeter
from tuitrain.trainer.callbacks.run_control import RunControl
from tuitrain.trainer.callbacks.run_progress import RunProgress
from tuitrain.trainer.callbacks.step_counter import StepCounter
from tuitrain.trainer.callbacks.stop_on_nan import StopOnNaN

__all__ = ["BestMetrics", "EventLog", "RateMeter", "RunControl", "RunProgress", "StepCounter", "StopOnNaN"]
