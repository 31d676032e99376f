#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    # Production unless told otherwise: a server never runs on development
    # settings by accident. `make` (and scripts/run.sh) say
    # DJANGO_SETTINGS_MODULE=abcd.settings.dev for local work.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abcd.settings.production")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
