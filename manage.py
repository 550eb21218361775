#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exam_system.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        # Reading the settings parses the environment: a bad variable (named in the
        # message) stops here in one line, not in a traceback.
        settings.INSTALLED_APPS  # noqa: B018
    except ImproperlyConfigured as exc:
        message = " ".join(str(exc).split())
        sys.stderr.write(f"Configuration error: {message}\n")
        sys.exit(1)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
