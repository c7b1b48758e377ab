"""Checks that a request really comes from the Bot Framework, and gets the bot's own token.

Rasa's botframework channel fetches the signing keys with blocking `requests` when it is
constructed (so the server cannot start offline), never refetches for a new key id, takes
the algorithm from the unverified token header and checks only signature and audience.
Here keys are fetched lazily with aiohttp and cached, the algorithm is fixed to RS256, and
issuer, audience, expiry (with a small clock skew), endorsements and the `serviceurl` claim
are all checked. See https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication
"""
from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional

import aiohttp
import jwt
from jwt.algorithms import RSAAlgorithm

logger = logging.getLogger(__name__)

DEFAULT_OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
DEFAULT_TOKEN_URL = "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
DEFAULT_API_BASE = "https://api.botframework.com"
ALGORITHM = "RS256"
CLOCK_SKEW_SECONDS = 300
KEYS_TTL_SECONDS = 24 * 3600
UNKNOWN_KID_COOLDOWN_SECONDS = 60
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=10)
BEARER = re.compile(r"^Bearer\s+(\S+)$", re.IGNORECASE)


class AuthError(Exception):
    """The request is not authenticated; the message is for the log, never the user."""


class UpstreamError(Exception):
    """The Bot Framework endpoints could not be reached or answered nonsense."""


def _normalise_url(url: Any) -> str:
    return url.rstrip("/").lower() if isinstance(url, str) else ""


def check_service_url(claims: Dict[str, Any], service_url: Any) -> None:
    """Replies go to the activity's serviceUrl, so it must be the one Microsoft signed."""
    signed = _normalise_url(claims.get("serviceurl"))
    if not signed or signed != _normalise_url(service_url):
        raise AuthError("serviceurl claim does not match the activity")


class SigningKeys:
    """The Bot Framework's public signing keys, fetched on first use and cached.

    An unknown key id forces one refresh (Microsoft rotates keys without notice), but at
    most once per cooldown so that forged key ids cannot make us hammer the endpoint.
    """

    def __init__(
        self,
        session: Callable[[], aiohttp.ClientSession],
        openid_url: str,
        ttl: float = KEYS_TTL_SECONDS,
        cooldown: float = UNKNOWN_KID_COOLDOWN_SECONDS,
    ) -> None:
        self._session = session
        self.openid_url = openid_url
        self.ttl = ttl
        self.cooldown = cooldown
        self._keys: Dict[str, Dict[str, Any]] = {}
        self._fetched_at = float("-inf")
        self._forced_at = float("-inf")
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> Dict[str, Any]:
        """The JWK with this id, refreshing the cache when it is stale or lacks the id."""
        refreshed = False
        if time.monotonic() - self._fetched_at > self.ttl:
            await self._refresh_or_keep(self._fetched_at)
            refreshed = True
        if kid not in self._keys and not refreshed and time.monotonic() - self._forced_at > self.cooldown:
            self._forced_at = time.monotonic()
            await self._refresh_or_keep(self._fetched_at)
        if kid not in self._keys:
            raise AuthError("unknown signing key id")
        return self._keys[kid]

    async def _refresh_or_keep(self, seen: float) -> None:
        """Refresh; if that fails, keep serving the keys we already have."""
        try:
            await self._refresh(seen)
        except UpstreamError as exc:
            if not self._keys:
                raise
            logger.warning("Bot Framework signing keys not refreshed, keeping the old ones: %s", exc)
            self._fetched_at = time.monotonic() - self.ttl + self.cooldown  # retry after the cooldown

    async def _refresh(self, seen: float) -> None:
        async with self._lock:
            if self._fetched_at != seen:  # another request refreshed while we waited
                return
            config = await self._get_json(self.openid_url)
            jwks = await self._get_json(config.get("jwks_uri") if isinstance(config, dict) else None)
            keys = jwks.get("keys") if isinstance(jwks, dict) else None
            if not isinstance(keys, list):
                raise UpstreamError("JWKS has no key list")
            self._keys = {k["kid"]: k for k in keys if isinstance(k, dict) and isinstance(k.get("kid"), str)}
            self._fetched_at = time.monotonic()
            logger.info("Bot Framework signing keys refreshed (%d keys)", len(self._keys))

    async def _get_json(self, url: Any) -> Any:
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise UpstreamError("no usable URL in the OpenID configuration")
        try:
            async with self._session().get(url, timeout=HTTP_TIMEOUT) as resp:
                resp.raise_for_status()
                return await resp.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise UpstreamError(f"could not fetch {url}: {type(exc).__name__}") from None


@dataclass
class TokenValidator:
    """Validates the `Authorization` header of an incoming Bot Framework activity."""

    app_id: str
    issuer: str
    keys: SigningKeys
    leeway: int = CLOCK_SKEW_SECONDS

    async def validate(self, header: Optional[str], channel_id: Any = None) -> Dict[str, Any]:
        """The token's claims, or AuthError. UpstreamError if the keys cannot be fetched.

        The caller must still compare the `serviceurl` claim with the activity
        (`check_service_url`): the token is checked before the body is trusted.
        """
        token = self._bearer(header)
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError:
            raise AuthError("malformed token") from None
        if not isinstance(kid, str):
            raise AuthError("token has no key id")
        jwk = await self.keys.key(kid)
        self._check_endorsement(jwk, channel_id)
        return self._decode(token, jwk)

    @staticmethod
    def _bearer(header: Optional[str]) -> str:
        match = BEARER.match(header.strip()) if isinstance(header, str) else None
        if not match:
            raise AuthError("no bearer token")
        return match.group(1)

    @staticmethod
    def _check_endorsement(jwk: Dict[str, Any], channel_id: Any) -> None:
        """Microsoft endorses each key for certain channels; a key not endorsed for this one is refused."""
        endorsements = jwk.get("endorsements")
        if channel_id and isinstance(endorsements, list) and channel_id not in endorsements:
            raise AuthError("signing key is not endorsed for this channel")

    def _decode(self, token: str, jwk: Dict[str, Any]) -> Dict[str, Any]:
        try:
            public_key = RSAAlgorithm.from_jwk(jwk)
            return jwt.decode(
                token,
                key=public_key,
                algorithms=[ALGORITHM],  # fixed: never taken from the unverified header
                audience=self.app_id,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iss", "aud"]},
            )
        except (jwt.PyJWTError, ValueError, TypeError, KeyError) as exc:
            raise AuthError(f"token rejected: {type(exc).__name__}") from None


class BotTokens:
    """The bot's own access token (client credentials), cached until shortly before expiry."""

    def __init__(
        self, session: Callable[[], aiohttp.ClientSession], token_url: str, app_id: str, secret: str, scope: str
    ) -> None:
        self._session = session
        self.token_url = token_url
        self._form = {"grant_type": "client_credentials", "client_id": app_id, "client_secret": secret, "scope": scope}
        self._token: Optional[str] = None
        self._expires_at = float("-inf")
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        async with self._lock:
            if self._token is None or time.monotonic() >= self._expires_at:
                await self._fetch()
            assert self._token is not None
            return self._token

    async def _fetch(self) -> None:
        try:
            async with self._session().post(self.token_url, data=self._form, timeout=HTTP_TIMEOUT) as resp:
                resp.raise_for_status()
                body = await resp.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise UpstreamError(f"could not get a bot token: {type(exc).__name__}") from None
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise UpstreamError("token endpoint gave no access_token")
        lifetime = body.get("expires_in", 3600)
        lifetime = int(lifetime) if str(lifetime).isdigit() else 3600
        self._token = body["access_token"]
        self._expires_at = time.monotonic() + max(lifetime - 300, 30)
