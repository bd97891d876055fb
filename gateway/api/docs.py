"""Routes that describe the API: the OpenAPI document and a page to read it. Entrypoints only."""
from werkzeug.wrappers import Response

from ..docs_page import render
from ..http import http
from ..openapi import document

_documents = {}


def document_of(service_class):
    # made once per process: the routes do not change while it runs
    if service_class not in _documents:
        _documents[service_class] = document(service_class)
    return _documents[service_class]


class DocumentRoutes:
    @http("GET", "/api/v1/openapi.json", tag="documentation", summary="This API's OpenAPI 3 document")
    def openapi(self, request):
        return document_of(type(self))

    @http("GET", "/api/v1/docs", tag="documentation", response="text/html",
          summary="This API's reference, as a page to read")
    def docs(self, request):
        return Response(render(document_of(type(self))), content_type="text/html; charset=utf-8")
