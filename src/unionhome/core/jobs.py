"""Long work with progress, on the web and on the command line (non-negotiable #6).

A use case that may take long is a function ``fn(job, progress) -> dict`` registered under a
kind with `register_job_kind`. The web starts it with `start_job` (a `Job` row, then the Django
Tasks API runs it in the worker after commit); a management command calls the same function with
a `CliProgress` (tqdm). Progress is written to the shared cache, not the database: an
all-or-nothing import holds its transaction (and SQLite's write lock) until it commits, and the
page must still see it move.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .codes import new_code
from .models import Job, JobStatus

logger = logging.getLogger(__name__)

JobFunction = Callable[[Job, "Progress"], dict]


@dataclass(frozen=True)
class JobKind:
    kind: str
    run: JobFunction
    result_template: str = ""


_kinds: dict[str, JobKind] = {}


def register_job_kind(kind: str, run: JobFunction, result_template: str = "") -> None:
    _kinds[kind] = JobKind(kind, run, result_template)


def job_kind(kind: str) -> JobKind:
    return _kinds[kind]


class Progress:
    """How far a job has come. Subclasses decide where it is shown."""

    def start(self, total: int, message: str = "") -> None:
        self.total, self.done, self.message = total, 0, message
        self._publish(force=True)

    def advance(self, n: int = 1) -> None:
        self.done += n
        self._publish()

    def phase(self, message: str, total: int | None = None) -> None:
        """A new stage (e.g. "检查" then "保存"), counting from zero again."""
        self.message = message
        if total is not None:
            self.total, self.done = total, 0
        self._publish(force=True)

    def _publish(self, force: bool = False) -> None:
        """Show the current state; implementations throttle."""


class NullProgress(Progress):
    total = done = 0
    message = ""


class CliProgress(Progress):
    def __init__(self, stream=None, disable: bool = False):
        self.stream, self.disable, self.bar = stream, disable, None

    def _publish(self, force: bool = False) -> None:
        from tqdm import tqdm

        if self.bar is None or force:
            if self.bar is not None:
                self.bar.close()
            self.bar = tqdm(total=self.total, desc=self.message, unit="行", file=self.stream,
                            disable=self.disable, initial=self.done)  # fmt: skip
        else:
            self.bar.n = self.done
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def progress_key(code: str) -> str:
    return f"job-progress:{code}"


class JobProgress(Progress):
    """Publishes to the cache at most five times a second."""

    def __init__(self, job: Job):
        self.job, self._last = job, 0.0

    def _publish(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last >= 0.2 or self.done >= self.total:
            self._last = now
            cache.set(progress_key(self.job.code),
                      {"done": self.done, "total": self.total, "message": self.message},
                      timeout=24 * 3600)  # fmt: skip


def read_progress(job: Job) -> dict[str, Any]:
    state = cache.get(progress_key(job.code)) or {"done": 0, "total": 0, "message": ""}
    total = state["total"] or 0
    state["percent"] = (
        int(100 * state["done"] / total) if total else (100 if job.is_finished else 0)
    )
    return state


def start_job(owner, kind: str, title: str, *, org=None, params=None, input_file=None) -> Job:
    """Record the job and hand it to the task worker once this transaction commits."""
    job_kind(kind)  # unknown kinds fail here, not in the worker
    job = Job(code=new_code(), kind=kind, title=title, owner=owner, org=org, params=params or {})
    if input_file is not None:
        job.input_file.save(getattr(input_file, "name", "upload"), input_file, save=False)
    job.save()
    transaction.on_commit(lambda: run_job.enqueue(job.code))
    return job


@task()
def run_job(code: str) -> None:
    job = Job.objects.get(code=code)
    if job.status != JobStatus.QUEUED:
        return  # delivered twice: the first delivery owns it
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    progress = JobProgress(job)
    try:
        result = job_kind(job.kind).run(job, progress)
    except ValidationError as exc:
        _finish(job, JobStatus.FAILED, error="；".join(exc.messages))
    except Exception:
        logger.exception("job %s (%s) failed", job.code, job.kind)
        _finish(job, JobStatus.FAILED, error=traceback.format_exc(limit=3)[-2000:])
    else:
        _finish(job, JobStatus.SUCCEEDED, result=result or {})


def _finish(job: Job, status: str, *, result=None, error: str = "") -> None:
    Job.objects.filter(pk=job.pk).update(status=status, result=result or {}, error=error,
                                         finished_at=timezone.now())  # fmt: skip
