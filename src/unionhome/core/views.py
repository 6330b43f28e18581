from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from .jobs import job_kind, read_progress
from .models import Job, Notification


@require_GET
def home(request):
    if request.user.is_authenticated:
        return redirect("demands:inbox")
    return render(request, "home.html")


@never_cache
@require_GET
def healthz(request):
    """Liveness for load balancers: the process answers and the database does too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    """The cadre's in-app notifications; POST marks them all read."""
    mine = Notification.objects.filter(recipient=request.user)
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("notifications")
    return render(request, "notifications.html", {"items": mine[:100]})


def _my_job(request, code: str) -> Job:
    job = Job.objects.filter(code=code).first()
    if job is None or (job.owner_id != request.user.pk and not request.user.is_superuser):
        raise Http404
    return job


@login_required
@require_GET
def job_page(request, code: str):
    job = _my_job(request, code)
    return render(request, "jobs/job.html", _job_context(job))


@login_required
@require_GET
def job_progress(request, code: str):
    """The htmx partial the job page polls; it stops polling once the job has finished."""
    job = _my_job(request, code)
    return render(request, "jobs/_progress.html", _job_context(job))


@login_required
@require_GET
def job_download(request, code: str):
    job = _my_job(request, code)
    if not job.output_file:
        raise Http404
    name = job.result.get("download_name") or job.output_file.name.rsplit("/", 1)[-1]
    return FileResponse(job.output_file.open("rb"), as_attachment=True, filename=name)


def _job_context(job: Job) -> dict:
    kind = job_kind(job.kind)
    return {"job": job, "progress": read_progress(job), "result_template": kind.result_template}
