"""Converters for argparse's ``type=``: each turns an option's text into its value,
or refuses it with a one-line reason (argparse.ArgumentTypeError).

Standard library only, like everything the parser needs at start-up.
"""

import argparse


def parse_value(text):
    """``--param`` values: None, booleans, integers, floats, else the string."""
    lowered = text.lower()
    if lowered in ("none", "null"):
        return None
    if lowered in ("true", "false"):
        return lowered == "true"
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


def parse_param(text):
    key, equals, value = text.partition("=")
    key = key.strip().replace("-", "_")
    if not equals or not key.isidentifier():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE (e.g. reg=0.01), got {text!r}")
    return key, parse_value(value.strip())


def unit_interval(text):
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a number in [0, 1], got {text!r}")
    return value


def quality(text):
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not 1 <= value <= 100:
        raise argparse.ArgumentTypeError(f"must be an integer in [1, 100], got {text!r}")
    return value


def positive_float(text):
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value


def positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def lut_size(text):
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not 2 <= value <= 256:
        raise argparse.ArgumentTypeError(f"must be an integer in [2, 256], got {text!r}")
    return value
