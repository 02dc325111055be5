"""The OpenAPI description of the department token (drf-spectacular reads this extension
when it meets DepartmentTokenAuthentication)."""
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class DepartmentTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.DepartmentTokenAuthentication"
    name = "departmentToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "部门令牌：请求头“Authorization: Token <密钥>”，由系统管理员在后台签发。"}
