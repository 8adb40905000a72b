"""The Celery application for distributed batch runs (`custcare worker`)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "custcare.settings")

app = Celery("custcare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["custcare.batch"])
