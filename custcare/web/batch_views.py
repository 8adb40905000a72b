"""Batch operation pages: the runs list with a submit form, and the run tree that refreshes itself
while the run is active. Only users who may run batches (batch.run) see them."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from custcare.batch.launch import batch_run_launch_background, batch_run_restart_on
from custcare.batch.models import BatchRun
from custcare.batch.selectors import batch_control_list, batch_run_list, batch_run_tree
from custcare.batch.services import EXECUTORS, MAX_THREADS, batch_run_cancel, batch_run_submit
from custcare.core.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from custcare.security.context import user_security_context_load
from custcare.security.roles import can
from custcare.web.forms import errors_apply

RUNS_PAGE_SIZE = 25
View = Callable[..., HttpResponse]


def batch_view(view: View) -> View:
    """Signed in and allowed to run batches; anyone else gets 403 before anything is read."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user_security_context_load(request.user)
        if not can(request.user, "batch.run"):
            raise PermissionDenied("Your role does not allow running batches (batch.run).")
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except AccessDenied as exc:
            raise PermissionDenied(exc.message) from exc

    return wrapper


class RunSubmitForm(forms.Form):
    control = forms.ChoiceField(label="Batch control")
    process_date = forms.DateField(label="Process date", widget=forms.DateInput(attrs={"type": "date"}))
    thread_count = forms.IntegerField(
        label="Threads", required=False, min_value=1, max_value=MAX_THREADS, help_text="Default: the control's."
    )
    chunk_size = forms.IntegerField(label="Chunk size", required=False, min_value=1, help_text="Records per commit.")
    executor = forms.ChoiceField(label="Executor", choices=[(e, e) for e in EXECUTORS], initial="inprocess")
    parameters = forms.CharField(
        label="Parameters",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "LEAD-DAYS=2"}),
        help_text="One KEY=VALUE per line; overrides the control's defaults.",
    )

    def __init__(self, *args: Any, controls: list[Any], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        control = self.fields["control"]
        assert isinstance(control, forms.ChoiceField)
        control.choices = [(c.code, f"{c.code} – {c.description}") for c in controls]

    def clean_parameters(self) -> dict[str, Any]:
        params: dict[str, Any] = {}
        for n, line in enumerate(self.cleaned_data["parameters"].splitlines(), start=1):
            if not line.strip():
                continue
            key, sep, value = line.partition("=")
            if not sep or not key.strip():
                raise forms.ValidationError(f"Line {n}: write KEY=VALUE, e.g. LEAD-DAYS=2.")
            try:
                params[key.strip()] = json.loads(value.strip())
            except ValueError:
                params[key.strip()] = value.strip()
        return params


SUBMIT_ERRORS = [(r"parameters\..*", "parameters"), (r"(\w+)", "\\1")]


@batch_view
def run_list(request: HttpRequest) -> HttpResponse:
    controls = list(batch_control_list(user=request.user))
    status = request.GET.get("status") or None
    control = request.GET.get("control") or None
    if request.method == "POST":
        form = RunSubmitForm(request.POST, controls=controls)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    run = batch_run_submit(
                        control_code=data["control"],
                        process_date=data["process_date"],
                        user=request.user,
                        thread_count=data["thread_count"],
                        parameters=data["parameters"],
                        executor=data["executor"],
                        chunk_size=data["chunk_size"],
                    )
                    batch_run_launch_background(run_id=run.pk)
            except ValidationFailed as exc:
                form.add_error(None, exc.message)
                errors_apply(form, exc.fields, SUBMIT_ERRORS)
            else:
                messages.success(request, f"Submitted {run.control_id} run {run.run_number}.")
                return redirect("batch:run", run_id=run.pk)
    else:
        form = RunSubmitForm(controls=controls, initial={"process_date": timezone.localdate(), "executor": "inprocess"})
    runs = batch_run_list(user=request.user, control=control, status=status)
    page = Paginator(runs, RUNS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "controls": controls,
        "statuses": BatchRun.Status.choices,
        "status": status or "",
        "control": control or "",
    }
    return render(request, "web/batch/runs.html", context, status=422 if form.errors else 200)


@batch_view
def run_page(request: HttpRequest, run_id: int) -> HttpResponse:
    return render(request, "web/batch/run.html", {"tree": batch_run_tree(run_id=run_id, user=request.user)})


@batch_view
def run_tree(request: HttpRequest, run_id: int) -> HttpResponse:
    """The partial the run page polls every second while the run is pending or running."""
    return render(request, "web/batch/_run_tree.html", {"tree": batch_run_tree(run_id=run_id, user=request.user)})


@require_POST
@batch_view
def run_restart(request: HttpRequest, run_id: int) -> HttpResponse:
    executor = request.POST.get("executor") or None
    try:
        with transaction.atomic():
            run = batch_run_restart_on(run_id=run_id, user=request.user, executor=executor)
            batch_run_launch_background(run_id=run.pk)
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"Restarted {run.control_id} run {run.run_number}; it continues from its checkpoints."
        )
    return redirect("batch:run", run_id=run_id)


@require_POST
@batch_view
def run_cancel(request: HttpRequest, run_id: int) -> HttpResponse:
    try:
        run = batch_run_cancel(run_id=run_id, user=request.user)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Canceled {run.control_id} run {run.run_number}.")
    return redirect("batch:run", run_id=run_id)
