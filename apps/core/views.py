"""View bases shared by the apps' file endpoints."""

from django.http import HttpResponse
from rest_framework import permissions
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from apps.core.scoping import RoleAccess


def file_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    """`content` as a download named `filename`."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class FileView(APIView):
    """A GET that answers a file; errors are JSON like everywhere else.

    `?format=` selects the file type here, so DRF's own use of that parameter (picking
    a renderer) is switched off by always negotiating JSON.
    """

    permission_classes = [permissions.IsAuthenticated, RoleAccess]
    read_roles: frozenset = frozenset()
    write_roles: frozenset = frozenset()

    def perform_content_negotiation(self, request, force=False):
        renderer = JSONRenderer()
        return renderer, renderer.media_type
