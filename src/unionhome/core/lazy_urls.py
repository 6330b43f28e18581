"""A namespaced URL resolver whose module is imported on first use, not at start-up."""

from __future__ import annotations

from django.urls import URLResolver
from django.urls.resolvers import RoutePattern


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
