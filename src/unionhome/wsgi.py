import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionhome.settings")
application = get_wsgi_application()


def _warm_classifier() -> None:
    """Load the demand classifier's shipped weights at start-up (≈ 0.2 s), so the first worker
    who submits a demand does not wait for them. In this thread, before the process serves:
    loaded by a background thread (when it still trained a model for seconds), the weights went
    into a malloc arena of that thread's own, and each gunicorn worker kept ≈ 0.7 MiB more
    (bench/README.md, "Memory per worker")."""
    from unionhome.text.classify import get_model

    get_model()


if os.environ.get("UNIONHOME_WARM_CLASSIFIER", "1") != "0":
    _warm_classifier()
