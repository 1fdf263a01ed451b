"""Content fingerprints of a drawing function and its inputs: equal fingerprints mean the same
figure, so a figure can be drawn once and shown again (figures.show).

A drawing function may read only its arguments, builtins, modules and library functions
(not a notebook's own), so nothing else can change the figure unseen; anything else is
refused with a TypeError.
"""
import builtins
import dis
import hashlib
import types

import matplotlib.pyplot as plt
import pandas as pd

PLAIN = (str, int, float, bool, type(None))


def fingerprint(draw: types.FunctionType, inputs: dict) -> str:
    """SHA-256 of the drawing function's code, its inputs and the figure style (rcParams).
    Valid within one process (the code's frozenset constants follow its string hashing)."""
    if draw.__closure__:
        raise TypeError(f"{draw.__name__}: a drawing function may not use variables of an enclosing function")
    _check_globals(draw)
    parts = (_code(draw.__code__), _value(draw.__defaults__), _value(draw.__kwdefaults__), _value(inputs),
             repr(sorted(plt.rcParams.items())))
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _codes(code: types.CodeType):
    """The code object and those nested in it (comprehensions, lambdas)."""
    yield code
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            yield from _codes(constant)


def _check_globals(draw: types.FunctionType) -> None:
    """Refuse a drawing function that reads a global other than a module, a library function
    or a builtin."""
    for code in _codes(draw.__code__):
        for instruction in dis.get_instructions(code):
            if instruction.opname != "LOAD_GLOBAL":
                continue
            name = instruction.argval
            if name in draw.__globals__:
                value = draw.__globals__[name]
                if not (isinstance(value, types.ModuleType) or _is_library_function(value)):
                    raise TypeError(f"{draw.__name__} reads the global {name!r}: pass it as an input")
            elif not hasattr(builtins, name):
                raise TypeError(f"{draw.__name__} reads the undefined name {name!r}")


def _code(code: types.CodeType) -> tuple:
    constants = tuple(_code(c) if isinstance(c, types.CodeType) else repr(c) for c in code.co_consts)
    return code.co_code, code.co_names, code.co_varnames, constants


def _value(value) -> object:
    """A comparable, printable stand-in for an input value."""
    if isinstance(value, PLAIN):
        return type(value).__name__, repr(value)
    if isinstance(value, (list, tuple)):
        return type(value).__name__, tuple(_value(v) for v in value)
    if isinstance(value, dict):
        return "dict", tuple((_value(k), _value(v)) for k, v in value.items())
    if isinstance(value, (pd.DataFrame, pd.Series)):
        frame = value.to_frame() if isinstance(value, pd.Series) else value
        rows = hashlib.sha256(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes()).hexdigest()
        return (type(value).__name__, repr(list(frame.columns)), repr(list(frame.dtypes)), repr(frame.index.names),
                repr(frame.index.dtype), rows)
    if _is_library_function(value):
        return "function", value.__module__, value.__qualname__
    raise TypeError(f"cannot fingerprint a figure input of type {type(value).__name__}")


def _is_library_function(value) -> bool:
    """A library's function, not one defined in a notebook or inside another function."""
    return (isinstance(value, (types.FunctionType, types.BuiltinFunctionType))
            and value.__module__ not in (None, "__main__") and "<locals>" not in value.__qualname__)
