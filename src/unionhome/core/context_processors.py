from django.utils.functional import SimpleLazyObject


def unread_notifications(request):
    """Unread count for the bell in the top bar; counted only when a template shows it (htmx
    partials do not), at most once per response."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .models import Notification

    def count() -> int:
        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

    return {"unread_notifications": SimpleLazyObject(count)}
