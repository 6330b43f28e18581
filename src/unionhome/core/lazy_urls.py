"""URLconfs and views imported on first use, not at start-up.

A web worker imports what its URLconf imports. With every app's views (and their forms,
exports, coverage, …) behind `lazy_view`, a worker holds only the views it has served: the apps'
views that no request reached cost ≈ 4 MiB a worker otherwise (`bench/README.md`).
"""

from __future__ import annotations

from importlib import import_module

from django.core.exceptions import ImproperlyConfigured
from django.urls import URLResolver
from django.urls.resolvers import RoutePattern


def lazy_view(dotted: str):
    """`path("x/", lazy_view("unionhome.app.views.name"), name=…)`: a function view whose module
    is imported by its first request. Reversing by name works as before (nothing is imported);
    reversing by the view object does not (nobody does). A csrf_exempt view is refused: the
    CSRF middleware reads that flag before the view is called, so route such a view directly."""
    module_name, _, name = dotted.rpartition(".")
    target = None

    def view(request, *args, **kwargs):
        nonlocal target
        if target is None:
            found = getattr(import_module(module_name), name)
            if getattr(found, "csrf_exempt", False):
                raise ImproperlyConfigured(f"{dotted} is csrf_exempt: route it without lazy_view")
            target = found
        return target(request, *args, **kwargs)

    view.__module__, view.__name__, view.__qualname__ = module_name, name, name
    view.lazy_view = dotted
    return view


class LazyURLResolver(URLResolver):
    """Like `path(route, include((module, app_name), namespace))`, but the module is imported
    by the first request under `route` or the first `reverse("namespace:…")`.

    Django's root resolver pre-populates every child when it builds its own reverse table; a
    namespaced child contributes nothing but its names there, so until its module is loaded
    that pre-population is skipped. Resolving and reversing into it load it."""

    def __init__(self, route: str, module: str, *, app_name: str, namespace: str):
        super().__init__(RoutePattern(route), module, app_name=app_name, namespace=namespace)

    def _loaded(self) -> bool:
        return "urlconf_module" in self.__dict__  # functools.cached_property stores it there

    def _populate(self):
        if self._loaded():
            super()._populate()

    def _load(self) -> None:
        if not self._loaded():
            self.urlconf_module  # noqa: B018 — the import is the point

    @property
    def reverse_dict(self):
        self._load()
        return super().reverse_dict

    @property
    def namespace_dict(self):
        self._load()
        return super().namespace_dict

    @property
    def app_dict(self):
        self._load()
        return super().app_dict
