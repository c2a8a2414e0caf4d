"""A loss that grows by orders of magnitude is reported, a few times, never for ordinary noise."""

from tuitrain.trainer.divergence import DivergenceWatch


def feed(losses, **kw):
    said: list[str] = []
    watch = DivergenceWatch(said.append, **kw)
    watch.on_epoch_begin(0)
    for i, loss in enumerate(losses):
        watch.on_train_batch_end(i, {"loss": loss})
    return said


def test_growth_by_orders_of_magnitude_warns_once_per_thousandfold():
    said = feed([0.7, 0.5, 3.0, 600.0, 1e4, 2e6, 1.7e11])
    assert len(said) == 3  # 600 (1200x), 2e6 (4e6x ≥ 1e6x), 1.7e11 (≥ 1e9x)
    assert said[0] == ("loss is diverging: 600 at epoch 1, batch 4, 1.2e+03 times its lowest value 0.5;"
                       " a smaller learning rate (compile.optimizer.learning_rate) usually helps")


def test_noise_nan_and_negative_losses_say_nothing():
    assert feed([0.7, 0.9, 5.0, 0.3, 200.0, float("nan"), float("inf"), -3.0, None]) == []
