import os
import threading

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionhome.settings")
application = get_wsgi_application()


def _warm_classifier() -> None:
    """Load the demand classifier's shipped weights in the background at start-up (0.2 s), so
    the first worker who submits a demand does not wait for it."""
    from unionhome.text.classify import get_model

    get_model()


if os.environ.get("UNIONHOME_WARM_CLASSIFIER", "1") != "0":
    threading.Thread(target=_warm_classifier, name="warm-classifier", daemon=True).start()
