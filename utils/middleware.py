"""Every error under /api/ has the API's JSON shape, including those Django answers itself."""

from http import HTTPStatus

from django.http import JsonResponse

API_PREFIX = "/api/"
MESSAGES = {
    400: ("bad_request", "Bad request."),
    404: ("not_found", "Not found."),
    413: ("too_large", "The request is too large."),
    500: ("server_error", "A server error occurred."),
}


class JsonApiErrorsMiddleware:
    """Under /api/, an error response that is not JSON (an unknown path's 404 page, Django's
    400 and 500 pages, the browsable API's error pages) becomes
    `{"code": "...", "detail": "..."}` with the same status. DRF views already answer JSON
    through utils.exceptions.api_exception_handler; this catches what never reached one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or not request.path_info.startswith(API_PREFIX):
            return response
        content_type = response.get("Content-Type", "")
        if content_type.startswith("application/json") or "+json" in content_type:
            return response
        status = response.status_code
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Error"
        code, detail = MESSAGES.get(status, (phrase.lower().replace(" ", "_").replace("-", "_"), f"{phrase}."))
        replacement = JsonResponse({"code": code, "detail": detail}, status=status)
        for header in ("Retry-After", "Allow", "WWW-Authenticate"):
            if header in response:
                replacement[header] = response[header]
        return replacement
