"""The data-sharing API (issue 13): read-only JSON for other departments' systems.

Every view authenticates the department token, is limited per token, reads through
api/selectors.py (the token's scope), and every call, refused ones included, leaves an audit
row: the department, the endpoint and its parameters (ID numbers masked), the answer's status
and how many rows it carried."""
from __future__ import annotations

import math

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import Throttled
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, serializers, services
from .throttling import rate_text

ERRORS = {
    400: OpenApiResponse(serializers.ErrorOut, "参数有误：键为参数名（如 id_number），值为中文说明"),
    401: OpenApiResponse(serializers.ErrorOut, "未提供令牌，或令牌无效、已停用、已过期"),
    404: OpenApiResponse(serializers.ErrorOut, "不存在，或不在令牌可查询的区划内（两者不作区分）"),
    429: OpenApiResponse(serializers.ErrorOut, "超过每个令牌的调用频率；Retry-After 为等待秒数"),
    503: OpenApiResponse(serializers.ErrorOut, "调用计数服务暂不可用，请稍后重试"),
}


class DepartmentApiView(APIView):
    endpoint = ""
    rows = 0
    person = None

    def throttled(self, request, wait):
        exc = Throttled(detail=f"请求过于频繁：每个令牌{rate_text(settings.API_RATE)}，"
                               f"请 {math.ceil(wait or 1)} 秒后再试。")
        exc.wait = wait
        raise exc

    def query(self, serializer_class):
        query = serializer_class(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        token = request.auth or getattr(request._request, "api_token_tried", None)
        services.call_record(request=request._request, endpoint=self.endpoint,
                             status_code=response.status_code,
                             rows=self.rows if response.status_code < 400 else 0,
                             token=token, person=self.person)
        # Answers carry personal data: no proxy or client cache keeps a copy (the site's
        # NoStoreMiddleware only sees signed-in staff).
        response["Cache-Control"] = "private, no-store"
        return response


class StatusView(DepartmentApiView):
    endpoint = "status"

    @extend_schema(summary="按证件号码查询某人某年度的参保状态", parameters=[serializers.StatusQuery],
                   responses={200: serializers.StatusOut, **ERRORS})
    def get(self, request):
        q = self.query(serializers.StatusQuery)
        self.person, data = selectors.person_status(request.auth, id_number=q["id_number"],
                                                    year=q["year"])
        self.rows = 1
        return Response(data)


class CoverageView(DepartmentApiView):
    endpoint = "coverage"

    @extend_schema(summary="某区划某年度的参保人数、参保率、困难群体人数（按下一级区划）",
                   parameters=[serializers.RegionQuery],
                   responses={200: serializers.CoverageOut, **ERRORS})
    def get(self, request):
        q = self.query(serializers.RegionQuery)
        region = selectors.scoped_region(request.auth, q.get("region"))
        data = selectors.region_coverage(region, q["year"])
        self.rows = 1 + len(data["children"])
        return Response(data)


class UnenrolledView(DepartmentApiView):
    endpoint = "unenrolled"

    @extend_schema(summary="某区划某年度的未参保台账（游标分页）",
                   parameters=[serializers.UnenrolledQuery],
                   responses={200: serializers.UnenrolledOut, **ERRORS})
    def get(self, request):
        q = self.query(serializers.UnenrolledQuery)
        region = selectors.scoped_region(request.auth, q.get("region"))
        data = selectors.unenrolled(request.auth, region, q["year"], request.query_params,
                                    per_page=q["page_size"])
        self.rows = len(data["results"])
        return Response(data)
