"""Tensor playground: evaluate one NumPy/TensorFlow constructor typed by the user, safely.

The text is parsed with ``ast`` and walked by a tiny interpreter that knows an
allow-list of constructors (``tf.constant``, ``np.arange`` …), dtype names,
literal arguments and a few array methods (``.reshape``, ``.astype``, ``.T``).
Nothing is ever ``eval``-ed: a name that is not on the list is an error that
says what is allowed.  Sizes are checked before anything is allocated.

Core module: no Textual; TensorFlow is imported only when a ``tf.`` name is used.
"""

from __future__ import annotations

import ast
import importlib
import math
from typing import Any, Callable

import numpy as np

from tuitrain.common.errors import TuitrainError

MAX_ELEMENTS = 1_000_000
MAX_ITEMSIZE = 1024  # bytes per element: "U100000000" or a subarray dtype would allocate far more than it says
MAX_TEXT = 4000

# Constructors by the name the user types; the value is the module path and attribute path.
FUNCTIONS: dict[str, tuple[str, str]] = {
    "tf.constant": ("tensorflow", "constant"),
    "tf.zeros": ("tensorflow", "zeros"),
    "tf.ones": ("tensorflow", "ones"),
    "tf.fill": ("tensorflow", "fill"),
    "tf.range": ("tensorflow", "range"),
    "tf.eye": ("tensorflow", "eye"),
    "tf.linspace": ("tensorflow", "linspace"),
    "tf.reshape": ("tensorflow", "reshape"),
    "tf.cast": ("tensorflow", "cast"),
    "tf.transpose": ("tensorflow", "transpose"),
    "tf.random.uniform": ("tensorflow", "random.uniform"),
    "tf.random.normal": ("tensorflow", "random.normal"),
    "np.array": ("numpy", "array"),
    "np.asarray": ("numpy", "asarray"),
    "np.zeros": ("numpy", "zeros"),
    "np.ones": ("numpy", "ones"),
    "np.full": ("numpy", "full"),
    "np.arange": ("numpy", "arange"),
    "np.linspace": ("numpy", "linspace"),
    "np.eye": ("numpy", "eye"),
    "np.identity": ("numpy", "identity"),
    "np.reshape": ("numpy", "reshape"),
    "np.transpose": ("numpy", "transpose"),
    "np.random.default_rng": ("numpy", "random.default_rng"),
}
ALIASES = {"numpy": "np", "tensorflow": "tf"}
DTYPES = (
    "float16", "float32", "float64", "bfloat16", "int8", "int16", "int32", "int64",
    "uint8", "uint16", "uint32", "uint64", "bool", "bool_", "complex64", "complex128",
)  # fmt: skip
ARRAY_METHODS = ("reshape", "astype", "transpose", "flatten", "ravel", "numpy")
ARRAY_ATTRIBUTES = ("T",)
RNG_METHODS = ("normal", "uniform", "integers", "standard_normal", "random")

# Where each function takes its shape / element count, to refuse huge sizes before allocating.
# kind: "shape" (a shape tuple or int), "range" (start/stop/step), "count" (an int), "matrix" (rows, cols)
SIZE_ARGS: dict[str, tuple[str, tuple[tuple[int, str], ...]]] = {
    "tf.constant": ("shape", ((2, "shape"),)),
    "tf.zeros": ("shape", ((0, "shape"),)),
    "tf.ones": ("shape", ((0, "shape"),)),
    "tf.fill": ("shape", ((0, "dims"),)),
    "tf.random.uniform": ("shape", ((0, "shape"),)),
    "tf.random.normal": ("shape", ((0, "shape"),)),
    "np.zeros": ("shape", ((0, "shape"),)),
    "np.ones": ("shape", ((0, "shape"),)),
    "np.full": ("shape", ((0, "shape"),)),
    "tf.eye": ("matrix", ((0, "num_rows"), (1, "num_columns"))),
    "np.eye": ("matrix", ((0, "N"), (1, "M"))),
    "np.identity": ("matrix", ((0, "n"), (0, "n"))),
    "np.arange": ("range", ((0, "start"), (1, "stop"), (2, "step"))),
    "tf.range": ("range", ((0, "start"), (1, "limit"), (2, "delta"))),
    "np.linspace": ("count", ((2, "num"), (0, "start"), (1, "stop"))),
    "tf.linspace": ("count", ((2, "num"), (0, "start"), (1, "stop"))),
    "normal": ("shape", ((2, "size"),)),
    "uniform": ("shape", ((2, "size"),)),
    "integers": ("shape", ((2, "size"),)),
    "standard_normal": ("shape", ((0, "size"),)),
    "random": ("shape", ((0, "size"),)),
}

ALLOWED_HELP = (
    "type one constructor with literal arguments, e.g. tf.zeros((2, 3)) or np.arange(12).reshape(3, 4). "
    "Allowed: tf.constant/zeros/ones/fill/range/eye/linspace/reshape/cast/transpose, tf.random.uniform/normal, "
    "np.array/asarray/zeros/ones/full/arange/linspace/eye/identity/reshape/transpose, "
    "np.random.default_rng(seed).normal/uniform/integers/random, "
    "methods ." + "/.".join(ARRAY_METHODS) + " and .T, dtypes such as tf.int32 or np.float32"
)


class PlaygroundError(TuitrainError):
    """Text the playground will not evaluate, or a constructor that failed; str() is for the user."""


def evaluate(text: str) -> Any:
    """The value of one allowed constructor expression (a numpy array or a tf.Tensor)."""
    text = text.strip()
    if not text:
        raise PlaygroundError("type a constructor such as tf.zeros((2, 3)) or np.arange(12).reshape(3, 4)")
    if len(text) > MAX_TEXT:
        raise PlaygroundError(f"the expression is {len(text)} characters long; the playground takes at most {MAX_TEXT}")
    try:
        tree = ast.parse(text, mode="eval")
        value = _Interpreter().eval(tree.body)
    except SyntaxError as err:
        where = f" at column {err.offset}" if err.offset else ""
        raise PlaygroundError(f"not a Python expression{where}: {err.msg}") from None
    except RecursionError:  # ast.parse and the interpreter recurse once per nesting level
        raise PlaygroundError("the expression is nested too deeply; type a flatter constructor") from None
    except MemoryError:
        raise PlaygroundError("there is not enough memory for that tensor") from None
    if isinstance(value, _Callable) or _is_namespace(value):
        raise PlaygroundError(f"`{text}` is a function, not a tensor: call it, e.g. {text}(...)")
    if not _is_tensor(value):
        raise PlaygroundError(f"`{text}` is a {type(value).__name__}, not a tensor")
    return value


def as_numpy(value: Any) -> np.ndarray:
    """A numpy view of a playground result (tf.Tensor → .numpy())."""
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        return np.asarray(value.numpy())
    return np.asarray(value)


def kind_of(value: Any) -> str:
    """"tf.Tensor" or "np.ndarray": what the user built."""
    return "np.ndarray" if isinstance(value, (np.ndarray, np.generic)) else "tf.Tensor"


# ---------------------------------------------------------------------------


class _Callable:
    """A resolved allowed function, or a bound allowed method, waiting for its call."""

    def __init__(self, name: str, fn: Callable[..., Any]) -> None:
        self.name = name
        self.fn = fn


class _Namespace:
    """A prefix of an allowed name (``tf``, ``tf.random``, ``np.random``)."""

    def __init__(self, name: str) -> None:
        self.name = name


def _is_namespace(value: Any) -> bool:
    return isinstance(value, _Namespace)


def _is_tensor(value: Any) -> bool:
    if isinstance(value, (np.ndarray, np.generic)):
        return True
    return type(value).__module__.startswith("tensorflow") and hasattr(value, "shape") and hasattr(value, "dtype")


def _resolve(module: str, attr_path: str) -> Any:
    obj = importlib.import_module(module)
    for part in attr_path.split("."):
        obj = getattr(obj, part)
    return obj


def _dtype(prefix: str, name: str) -> Any:
    if prefix == "np":
        return np.dtype("bool" if name == "bool_" else name) if name != "bfloat16" else _not_allowed("np.bfloat16")
    import tensorflow as tf

    return getattr(tf, "bool" if name == "bool_" else name)


def _not_allowed(what: str) -> Any:
    raise PlaygroundError(f"{what} is not allowed: {ALLOWED_HELP}")


class _Interpreter:
    def eval(self, node: ast.AST) -> Any:
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise PlaygroundError(f"{_describe_node(node)} is not allowed: {ALLOWED_HELP}")
        return method(node)

    # literals -------------------------------------------------------------
    def _Constant(self, node: ast.Constant) -> Any:
        if isinstance(node.value, (bool, int, float, complex, str)) or node.value is None:
            if isinstance(node.value, str) and len(node.value) > 100:
                raise PlaygroundError("string arguments longer than 100 characters are not allowed")
            return node.value
        raise PlaygroundError(f"the literal {node.value!r} is not allowed")

    def _UnaryOp(self, node: ast.UnaryOp) -> Any:
        value = self.eval(node.operand)
        if isinstance(node.op, (ast.USub, ast.UAdd)) and isinstance(value, (int, float, complex)) and not isinstance(value, bool):
            return -value if isinstance(node.op, ast.USub) else value
        raise PlaygroundError("only a sign in front of a number is allowed (e.g. -1.5)")

    def _List(self, node: ast.List) -> list:
        return [self.eval(e) for e in node.elts]

    def _Tuple(self, node: ast.Tuple) -> tuple:
        return tuple(self.eval(e) for e in node.elts)

    def _Slice(self, node: ast.Slice) -> slice:
        raise PlaygroundError("indexing is not allowed; build the tensor you want directly")

    # names ----------------------------------------------------------------
    def _Name(self, node: ast.Name) -> Any:
        name = ALIASES.get(node.id, node.id)
        if name in ("tf", "np"):
            return _Namespace(name)
        if name in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[name]
        return _not_allowed(f"`{node.id}`")

    def _Attribute(self, node: ast.Attribute) -> Any:
        if node.attr.startswith("_"):
            raise PlaygroundError(f"attribute `{node.attr}` is not allowed: names starting with _ are never looked up")
        base = self.eval(node.value)
        if isinstance(base, _Namespace):
            name = f"{base.name}.{node.attr}"
            if name in FUNCTIONS:
                return _Callable(name, _resolve(*FUNCTIONS[name]))
            if node.attr in DTYPES and base.name in ("tf", "np"):
                return _dtype(base.name, node.attr)
            if any(f.startswith(name + ".") for f in FUNCTIONS):
                return _Namespace(name)
            return _not_allowed(f"`{name}`")
        if isinstance(base, np.random.Generator):
            if node.attr in RNG_METHODS:
                return _Callable(node.attr, getattr(base, node.attr))
            return _not_allowed(f"the generator method `.{node.attr}`")
        if _is_tensor(base):
            if node.attr in ARRAY_ATTRIBUTES:
                return base.T if isinstance(base, (np.ndarray, np.generic)) else _tf_transpose(base)
            if node.attr in ARRAY_METHODS:
                if not hasattr(base, node.attr):
                    raise PlaygroundError(
                        f"a {kind_of(base)} has no method .{node.attr}"
                        + (" (use tf.reshape / tf.cast, or .numpy() first)" if kind_of(base) == "tf.Tensor" else "")
                    )
                return _Callable(node.attr, getattr(base, node.attr))
            return _not_allowed(f"the attribute `.{node.attr}`")
        return _not_allowed(f"the attribute `.{node.attr}`")

    # calls ----------------------------------------------------------------
    def _Call(self, node: ast.Call) -> Any:
        func = self.eval(node.func)
        if not isinstance(func, _Callable):
            raise PlaygroundError(f"{_describe_node(node.func)} cannot be called: {ALLOWED_HELP}")
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            raise PlaygroundError("*args and **kwargs are not allowed")
        args = [self.eval(a) for a in node.args]
        kwargs = {k.arg: self.eval(k.value) for k in node.keywords}
        for value in [*args, *kwargs.values()]:
            if isinstance(value, (_Callable, _Namespace)):
                raise PlaygroundError("functions cannot be passed as arguments")
        _check_size(func.name, args, kwargs)
        try:
            result = func.fn(*args, **kwargs)
        except PlaygroundError:
            raise
        except Exception as err:  # noqa: BLE001 - numpy/TensorFlow raise many types for bad arguments
            message = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise PlaygroundError(f"{func.name}(…) failed: {message}") from None
        if _is_tensor(result) and int(np.prod(result.shape, dtype=np.int64)) > MAX_ELEMENTS:
            raise PlaygroundError(f"the result has more than {MAX_ELEMENTS:,} elements")
        return result


def _tf_transpose(value: Any) -> Any:
    import tensorflow as tf

    return tf.transpose(value)


def _describe_node(node: ast.AST) -> str:
    names = {
        "Lambda": "lambda",
        "BinOp": "arithmetic",
        "Subscript": "indexing",
        "ListComp": "a list comprehension",
        "GeneratorExp": "a generator expression",
        "DictComp": "a dict comprehension",
        "SetComp": "a set comprehension",
        "Dict": "a dict",
        "Set": "a set",
        "IfExp": "an if-expression",
        "Compare": "a comparison",
        "BoolOp": "and/or",
        "NamedExpr": "the := operator",
        "JoinedStr": "an f-string",
        "Await": "await",
        "Yield": "yield",
        "Starred": "*args",
    }
    try:
        source = ast.unparse(node)
    except Exception:  # noqa: BLE001
        source = type(node).__name__
    kind = names.get(type(node).__name__)
    return f"{kind} (`{source}`)" if kind else f"`{source}`"


def _arg(args: list, kwargs: dict, position: int, keyword: str) -> Any:
    if keyword in kwargs:
        return kwargs[keyword]
    return args[position] if position < len(args) else None


def _shape_elements(shape: Any) -> int:
    if shape is None:
        return 1
    if isinstance(shape, bool):
        return 1
    if isinstance(shape, int):
        return max(shape, 0)
    if isinstance(shape, (list, tuple)):
        total = 1
        for dim in shape:
            if isinstance(dim, int) and not isinstance(dim, bool):
                total *= max(dim, 0)
        return total
    if _is_tensor(shape):
        values = as_numpy(shape).ravel()
        return int(np.prod(np.maximum(values, 0), dtype=np.float64)) if values.size else 1
    return 1


def _value_shape(value: Any) -> tuple:
    """The shape of a literal or tensor argument (() when it has none numpy can see)."""
    if _is_tensor(value):
        return tuple(int(d) if d is not None else 1 for d in value.shape)
    try:
        return np.shape(value)
    except (ValueError, TypeError):
        return ()


def _check_dtypes(name: str, args: list, kwargs: dict) -> None:
    """Refuse subarray / structured / huge-item dtypes: np.ones(3, dtype="(1000000,)f8") is 3 "elements"."""
    for value in [*args, *kwargs.values()]:
        if not isinstance(value, (str, tuple, list, np.dtype)):
            continue
        try:
            dtype = np.dtype(value)
        except (TypeError, ValueError, OverflowError, SyntaxError):
            continue
        if dtype.shape != () or dtype.fields is not None or dtype.itemsize > MAX_ITEMSIZE:
            raise PlaygroundError(
                f"{name}(…): the dtype {value!r} is not allowed; use a plain number type such as "
                f"float32 or int64 (subarray and structured dtypes, and items over {MAX_ITEMSIZE} bytes, are refused)"
            )


def _check_size(name: str, args: list, kwargs: dict) -> None:
    """Refuse sizes over MAX_ELEMENTS before numpy or TensorFlow allocate anything."""
    _check_dtypes(name, args, kwargs)
    if name == "reshape":
        shape = args[0] if len(args) == 1 else tuple(args)
        elements = _shape_elements(kwargs.get("shape", shape))
    elif name in SIZE_ARGS:
        kind, where = SIZE_ARGS[name]
        values = [_arg(args, kwargs, pos, key) for pos, key in where]
        if kind == "shape":
            elements = _shape_elements(values[0])
        elif kind == "count":
            elements = _shape_elements(values[0] if values[0] is not None else 50)
            try:  # array endpoints: one run of `num` values per broadcast endpoint
                ends = np.broadcast_shapes(_value_shape(values[1]), _value_shape(values[2]))
            except ValueError:
                ends = ()
            elements *= math.prod(ends)
        elif kind == "matrix":
            rows = values[0] if isinstance(values[0], int) else 1
            cols = values[1] if isinstance(values[1], int) else rows
            elements = max(rows, 0) * max(cols, 0)
        else:  # range
            start, stop, step = values
            if stop is None:
                start, stop = 0, start
            start = 0 if start is None else start
            step = 1 if step is None else step
            try:
                elements = max(0, math.ceil((float(stop) - float(start)) / float(step)))
            except (TypeError, ValueError, ZeroDivisionError, OverflowError):
                elements = 0
    else:
        return
    if elements > MAX_ELEMENTS:
        raise PlaygroundError(
            f"{name}(…) would hold {elements:,} elements; the playground allows at most {MAX_ELEMENTS:,}"
        )
