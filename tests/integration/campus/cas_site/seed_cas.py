"""Lets every service URL under SERVICE_PREFIX use this CAS server and releases the
attributes named in RELEASE (comma-separated). Run once after `migrate`."""
import os
import re

import django

django.setup()

from cas_server.models import ReplaceAttributName, ServicePattern  # noqa: E402

pattern, _ = ServicePattern.objects.get_or_create(
    name="chuangxian", defaults={"pos": 0, "pattern": "^" + re.escape(os.environ["SERVICE_PREFIX"]) + ".*"})
for name in filter(None, os.environ.get("RELEASE", "").split(",")):
    ReplaceAttributName.objects.get_or_create(name=name, replace="", service_pattern=pattern)
print("seeded", pattern.pattern)
