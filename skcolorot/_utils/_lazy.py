"""Lazy public names for a package (PEP 562), as scikit-image's lazy_loader does:
``import skcolorot.io`` stays cheap, and a name's module (with numpy, scikit-learn,
...) loads when the name is first touched. Standard library only."""

from importlib import import_module

__all__ = ["attach"]


def attach(package, names):
    """``__getattr__``, ``__dir__`` and ``__all__`` for ``package``.

    ``names`` maps each public name to the module (relative to ``package``) that
    defines it.
    """

    def __getattr__(name):
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(module, package), name)
        setattr(import_module(package), name, value)  # later look-ups skip this
        return value

    def __dir__():
        return sorted(set(vars(import_module(package))) | set(names))

    return __getattr__, __dir__, sorted(names)
