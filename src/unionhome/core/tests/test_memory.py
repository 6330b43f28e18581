"""Web workers give free heap pages back after each response (glibc's malloc_trim)."""

from django.core.signals import request_finished

from unionhome.core import memory


def test_the_trim_runs_after_each_response_where_the_c_library_has_it(client, db, monkeypatch):
    calls = []
    monkeypatch.setattr(memory, "_find_malloc_trim", lambda: calls.append)
    request_finished.disconnect(dispatch_uid="unionhome.core.memory")
    try:
        assert memory.connect()
        client.get("/healthz")
        assert calls == [0]
    finally:
        request_finished.disconnect(dispatch_uid="unionhome.core.memory")
        memory.connect()


def test_the_real_malloc_trim_is_found_on_linux():
    assert memory._find_malloc_trim() is not None


def test_nothing_is_connected_without_malloc_trim(monkeypatch):
    monkeypatch.setattr(memory, "_find_malloc_trim", lambda: None)
    assert memory.connect() is False
