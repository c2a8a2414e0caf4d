"""The tensor playground: tutorial constructors work, anything else is refused with a clear reason."""

import numpy as np
import pytest

from tuitrain.data.playground import MAX_ELEMENTS, PlaygroundError, as_numpy, evaluate, kind_of


@pytest.mark.parametrize(
    ("text", "dtype", "shape", "values"),
    [
        ("tf.constant([[1, 2], [3, 4]])", "int32", (2, 2), [[1, 2], [3, 4]]),
        ("tf.zeros((2, 3))", "float32", (2, 3), [[0, 0, 0], [0, 0, 0]]),
        ("tf.ones([3], dtype=tf.int32)", "int32", (3,), [1, 1, 1]),
        ("np.arange(12).reshape(3, 4)", "int64", (3, 4), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]),
    ],
)
def test_tutorial_examples(text, dtype, shape, values):
    value = evaluate(text)
    array = as_numpy(value)
    assert str(array.dtype) == dtype
    assert array.shape == shape
    assert array.tolist() == values


def test_numpy_extras_and_methods():
    assert evaluate("np.zeros((2, 2), dtype=np.float32).T").dtype == np.float32
    assert evaluate("np.linspace(0, 1, 5)").tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert evaluate("np.eye(3).astype('int8')").dtype == np.int8
    assert evaluate("np.full((2,), -1.5)").tolist() == [-1.5, -1.5]
    a = evaluate("np.random.default_rng(0).normal(size=(2, 3))")
    b = evaluate("np.random.default_rng(0).normal(size=(2, 3))")
    assert a.shape == (2, 3) and np.array_equal(a, b)
    assert kind_of(evaluate("np.array([1, 2])")) == "np.ndarray"


def test_tensorflow_extras():
    value = evaluate("tf.random.uniform((2, 2), seed=1, minval=0, maxval=1)")
    assert kind_of(value) == "tf.Tensor" and tuple(value.shape) == (2, 2)
    assert as_numpy(evaluate("tf.range(6)")).tolist() == [0, 1, 2, 3, 4, 5]
    assert as_numpy(evaluate("tf.eye(2)")).tolist() == [[1, 0], [0, 1]]
    assert as_numpy(evaluate("tf.reshape(tf.range(6), (2, 3))")).shape == (2, 3)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("__import__('os')", "`__import__` is not allowed"),
        ("open('/etc/passwd')", "`open` is not allowed"),
        ("np.load('x.npy')", "`np.load` is not allowed"),
        ("tf.io.read_file('x')", "`tf.io` is not allowed"),
        ("np.arange(3).__class__", "attribute `__class__` is not allowed"),
        ("np.arange(3).tofile('x')", "`.tofile` is not allowed"),
        ("(lambda: 1)()", "lambda"),
        ("np.zeros(2) + 1", "arithmetic"),
        ("[x for x in range(3)]", "list comprehension"),
        ("tf.zeros((100000, 100000))", f"at most {MAX_ELEMENTS:,}"),
        ("np.arange(10**9)", "arithmetic"),
        ("np.arange(1000000000)", f"at most {MAX_ELEMENTS:,}"),
        ("np.ones(5000000)", f"at most {MAX_ELEMENTS:,}"),
        ("np.arange(4).reshape(2000, 2000)", f"at most {MAX_ELEMENTS:,}"),
        ("np.random.default_rng(0).normal(size=(5000, 5000))", f"at most {MAX_ELEMENTS:,}"),
        ("np.zeros(", "not a Python expression"),
        ("np.zeros", "is a function, not a tensor"),
        ("1 + ", "not a Python expression"),
        ("", "type a constructor"),
    ],
)
def test_rejected(text, says):
    with pytest.raises(PlaygroundError) as info:
        evaluate(text)
    assert says in str(info.value)


def test_bad_arguments_report_the_function():
    with pytest.raises(PlaygroundError, match=r"np.arange\(12\).reshape|reshape\(…\) failed"):
        evaluate("np.arange(12).reshape(5, 5)")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("np.array(" + "-" * 1500 + "1)", "nested too deeply"),
        ('np.ones(3, dtype="(1000000,)f8")', "dtype '(1000000,)f8' is not allowed"),
        ('np.zeros(3).astype("(1000000,)f8")', "is not allowed"),
        ('np.zeros(3).astype(("f8", (1000000,)))', "is not allowed"),
        ('np.zeros(2, dtype="U100000000")', "is not allowed"),
        ("tf.constant(0, shape=(5000, 5000))", "would hold 25,000,000 elements"),
        ("np.linspace(np.zeros(2000), np.ones(2000), 1000)", "would hold 2,000,000 elements"),
    ],
)
def test_refused_before_anything_is_allocated(text, says):
    """Deep nesting used to escape as RecursionError; sizes hidden in dtypes, shape= or endpoints were allocated first."""
    with pytest.raises(PlaygroundError) as info:
        evaluate(text)
    assert says in str(info.value)


def test_size_checks_still_allow_small_tensors():
    assert as_numpy(evaluate("tf.constant(1, shape=[2, 3])")).shape == (2, 3)
    assert evaluate("np.linspace([[0], [1]], [0, 1, 2], 5)").shape == (5, 2, 3)
    assert evaluate("np.full(3, 'F')").tolist() == ["F", "F", "F"]
