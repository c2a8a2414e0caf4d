"""Hypothesis fuzzing of presets: `--set` values, and presets built from what Keras' own registries offer.

Whatever the input, the answer is a preset or a TuitrainError that names where: never another
exception, never "failed unexpectedly". Derandomized and bounded by the `ci` profile (tests/fuzzing.py), so CI
runs the same examples every time in well under a minute; `--hypothesis-profile=fuzz` explores 40× as many.
"""

from __future__ import annotations

import copy
import inspect
import tomllib

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.fuzzing import examples
from tests.tiny_preset import TINY
from tuitrain.common.errors import TuitrainError
from tuitrain.preset import parse_preset

FUZZ = settings(phases=[Phase.explicit, Phase.generate])  # the rest (seed, deadline) from the profile

KEYS = ["seed", "name", "description", "data.samples", "data.noise", "data.source", "data.validation_split",
        "data.preprocess", "layers.0.units", "layers.0.activation", "layers.1", "layers.0", "layers",
        "compile.optimizer", "compile.loss", "compile.metrics", "compile.loss_weights", "fit.epochs",
        "fit.batch_size", "fit.callbacks", "fit.validation_freq", "fit.initial_epoch", "fit.checkpoint_every",
        "fit.trusted", "layers.7.units", "data.x.y.z", "compile.optimizer.learning_rate"]


def _toml_string(text: str) -> str:
    return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}" for c in text) + '"'


LEAF = (st.integers(min_value=-2**63, max_value=2**63 - 1).map(str)
        | st.sampled_from(["nan", "inf", "-inf", "1e308", "-0.0", "1e-320", "true", "false", "1979-05-27", "07:32:00"])
        | st.floats().map(repr).filter(lambda r: r not in ("nan", "inf", "-inf"))
        | st.text(max_size=12).map(_toml_string)
        | st.text(max_size=12))
VALUE = (st.recursive(LEAF, lambda kids: st.lists(kids, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]")
                      | st.dictionaries(st.sampled_from(["type", "units", "op", "learning_rate", "filename"]), kids,
                                        max_size=3).map(lambda d: "{" + ", ".join(f"{k} = {v}" for k, v in d.items()) + "}"),
                      max_leaves=10)
         | st.integers(min_value=30, max_value=5000).map(lambda n: "[" * n + "]" * n)
         | st.integers(min_value=30, max_value=2000).map(lambda n: "{a = " * n + "1" + "}" * n))


@settings(FUZZ, max_examples=examples(400))
@given(key=st.sampled_from(KEYS) | st.text(max_size=20), value=VALUE)
def test_set_values_give_a_preset_or_a_located_error(key, value):
    try:
        parse_preset(TINY, file="tiny.toml", overrides=[f"{key}={value}"])
    except TuitrainError as err:
        assert str(err).startswith("tiny.toml"), str(err)


# --- presets built from Keras' registries ------------------------------------------------------


def _catalogue(kind: str) -> dict[str, type]:
    from tuitrain.catalogue import registry as keras_catalogue

    return keras_catalogue.classes(kind)


def _params(cls: type) -> dict[str, object]:
    try:
        params = inspect.signature(cls.__init__).parameters
    except (TypeError, ValueError):
        return {}
    return {k: p.default for k, p in params.items() if k != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}


HOSTILE = st.sampled_from([0, -1, 1, 2, 3, 10**12, -10**12, 0.0, -0.5, 0.5, 1.5, 1e300, "", "x", "relu", "same",
                           "../x", "/tmp/x", [1, 2], [], {}, True, False])


def _value_for(default: object) -> st.SearchStrategy:
    if isinstance(default, bool):
        return st.booleans() | HOSTILE
    if isinstance(default, int):
        return st.integers(-3, 64) | HOSTILE
    if isinstance(default, float):
        return st.floats(-2, 2, allow_nan=False) | HOSTILE
    if isinstance(default, str):
        return st.just(default) | HOSTILE
    return HOSTILE


@st.composite
def keras_object(draw, kind: str) -> dict:
    classes = _catalogue(kind)
    name = draw(st.sampled_from(sorted(classes)))
    params = _params(classes[name])
    keys = draw(st.lists(st.sampled_from(sorted(params)), max_size=3, unique=True)) if params else []
    return {"type": name, **{k: draw(_value_for(params[k])) for k in keys}}


@settings(FUZZ, max_examples=examples(100), suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(where=st.sampled_from(["layer", "optimizer", "callback"]), data=st.data())
def test_presets_from_keras_registries_give_a_model_or_a_located_error(where, data, tmp_path_factory, monkeypatch):
    from tuitrain.model import prepare
    from tuitrain.preset import validate

    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))  # nothing a callback might create lands in the repository
    raw = copy.deepcopy(tomllib.loads(TINY))
    raw["data"]["samples"] = 64
    if where == "layer":
        raw["layers"].insert(1, data.draw(keras_object("layer")))
    elif where == "optimizer":
        raw["compile"]["optimizer"] = data.draw(keras_object("optimizer"))
    else:
        raw["fit"]["callbacks"] = [data.draw(keras_object("callback"))]
    try:
        prepare(validate(raw, file="fuzz.toml"))
    except TuitrainError as err:
        assert "unexpectedly" not in str(err)
