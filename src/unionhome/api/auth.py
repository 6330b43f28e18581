from ninja.security import APIKeyHeader

from .models import ApiKey, ApiPrincipal


class ApiKeyAuth(APIKeyHeader):
    """`X-API-Key: uh_<prefix>_<secret>`."""

    param_name = "X-API-Key"

    def authenticate(self, request, key):
        api_key = ApiKey.authenticate(key or "")
        return ApiPrincipal(api_key) if api_key else None
