"""`lazy_view`: a view module is imported by the view's first request, and behaves as before."""

import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import resolve

from unionhome.core.lazy_urls import lazy_view


def test_the_view_is_resolved_by_its_dotted_path_and_named_like_it():
    match = resolve("/demands/")
    assert match.func.lazy_view == "unionhome.demands.views.cadre.inbox"
    assert match._func_path == "unionhome.demands.views.cadre.inbox"
    assert match.view_name == "demands:inbox"


def test_the_module_is_imported_on_the_first_call(monkeypatch):
    monkeypatch.delitem(sys.modules, "unionhome.core.tests._lazy_target", raising=False)
    view = lazy_view("unionhome.core.tests._lazy_target.hello")
    assert "unionhome.core.tests._lazy_target" not in sys.modules
    assert view(RequestFactory().get("/x/"), name="z").content == b"hello z"
    assert "unionhome.core.tests._lazy_target" in sys.modules


def test_a_csrf_exempt_view_is_refused():
    view = lazy_view("unionhome.core.tests._lazy_target.exempt")
    with pytest.raises(ImproperlyConfigured, match="csrf_exempt"):
        view(RequestFactory().post("/x/"))
