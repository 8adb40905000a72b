from ninja import Router, Schema

from custcare.api.errors import ERRORS
from custcare.security.services import api_token_issue

router = Router()


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    expires_at: str


@router.post("/token", auth=None, response={200: TokenOut, **ERRORS}, summary="Get an API token")
def token(request, payload: TokenIn):  # type: ignore[no-untyped-def]
    """Exchange a username and password for a bearer token, valid for CUSTCARE_TOKEN_HOURS."""
    value, record = api_token_issue(username=payload.username, password=payload.password)
    return {"token": value, "expires_at": record.expires_at.isoformat()}
