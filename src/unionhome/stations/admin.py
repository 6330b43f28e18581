from django.contrib import admin

from .models import CheckIn, Place, Station, StationPhoto, StationRating


class PhotoInline(admin.TabularInline):
    model = StationPhoto
    fields = ("code", "content_type", "size", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    """Back office view, read-only and scoped: stations are created, edited and imported on the
    cadre pages, whose services check coordinates, hours and amenities."""

    list_display = ("name", "kind", "org", "status", "latitude", "longitude", "updated_at")
    list_filter = ("kind", "status")
    search_fields = ("code", "name", "address")
    inlines = [PhotoInline]
    readonly_fields = [f.name for f in Station._meta.fields]

    def get_queryset(self, request):
        return Station.objects.visible_to(request.user).select_related("org")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ("station", "at", "count", "method")
    list_filter = ("method",)
    readonly_fields = ("station", "at", "count", "method", "member_ref", "recorded_by")

    def get_queryset(self, request):
        visible = Station.objects.visible_to(request.user).values("pk")
        return CheckIn.objects.filter(station__in=visible).select_related("station")

    def has_add_permission(self, request):
        return False


@admin.register(StationRating)
class StationRatingAdmin(admin.ModelAdmin):
    list_display = ("station", "at", "rating", "comment")
    readonly_fields = ("station", "at", "rating", "comment")

    def get_queryset(self, request):
        visible = Station.objects.visible_to(request.user).values("pk")
        return StationRating.objects.filter(station__in=visible).select_related("station")

    def has_add_permission(self, request):
        return False


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    """The gazetteer behind "type a street instead of sharing your location" (WGS-84)."""

    list_display = ("name", "aliases", "latitude", "longitude")
    search_fields = ("name", "aliases")
