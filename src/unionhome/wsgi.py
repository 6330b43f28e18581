import os
import threading

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionhome.settings")
application = get_wsgi_application()


def _warm_classifier() -> None:
    """Train the demand classifier in the background at start-up, so the first worker who submits
    a demand does not wait for it (1–10 s on a busy machine)."""
    from unionhome.text.classify import get_model

    get_model()


if os.environ.get("UNIONHOME_WARM_CLASSIFIER", "1") != "0":
    threading.Thread(target=_warm_classifier, name="warm-classifier", daemon=True).start()
