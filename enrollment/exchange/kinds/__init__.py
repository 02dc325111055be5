"""One module per department file; each module registers its feed with `base.register`.
Every module in this package is imported here, so adding a kind is adding a file."""
import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
