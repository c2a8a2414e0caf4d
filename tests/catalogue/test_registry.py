"""The Keras catalogue reads Keras itself: class lists and the names its registries accept."""

from __future__ import annotations

from tuitrain.catalogue import registry as I


def test_layer_list_is_what_keras_exports():
    import keras

    names = I.layer_class_names()
    assert {"Dense", "Conv2D", "MaxPooling2D", "Flatten", "Dropout", "LSTM", "Add"} <= set(names)
    assert "Layer" not in names and "InputLayer" not in names
    assert all(issubclass(getattr(keras.layers, n), keras.layers.Layer) for n in names)


def test_seed_optimizers_and_callbacks_are_offered():
    assert {"Adadelta", "Adagrad", "Adam", "Adamax", "Ftrl", "Nadam", "RMSprop", "SGD"} <= set(I.optimizer_names())
    assert "Optimizer" not in I.optimizer_names()
    assert "LossScaleOptimizer" not in I.optimizer_names()  # needs an inner optimizer
    assert {"EarlyStopping", "ReduceLROnPlateau", "ModelCheckpoint", "CSVLogger"} <= set(I.callback_names())
    assert "History" not in I.callback_names()


def test_loss_and_metric_names_are_accepted_by_keras():
    import keras

    for name in I.loss_names():
        assert keras.losses.get(name) is not None
    assert "sparse_categorical_crossentropy" in I.loss_names()
    assert I.metric_names()[0] == "accuracy"


def test_every_registry_choice_is_accepted_by_keras():
    import keras

    for name in I.initializer_names():
        assert keras.initializers.get(name) is not None
    for name in I.activation_names():
        assert keras.activations.get(name) is not None
