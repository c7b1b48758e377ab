"""A fake Microsoft Bot Framework on 127.0.0.1: OpenID configuration, JWKS, token endpoint
and a conversations API that records what the bot sends. It also signs tokens as Microsoft would.
"""
from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional
from urllib.parse import parse_qs, unquote

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

APP_ID = "00000000-1111-2222-3333-444444444444"
APP_PASSWORD = "test-secret-not-real"
ACCESS_TOKEN = "fake-bot-access-token"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key: rsa.RSAPrivateKey, kid: str, endorsements: Optional[List[str]] = None) -> Dict[str, Any]:
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid=kid, use="sig", endorsements=endorsements or ["msteams", "webchat"])
    return jwk


@dataclass
class Sent:
    """One request the bot made to the conversations API."""

    path: str
    authorization: str
    body: Dict[str, Any]


@dataclass
class FakeBotFramework:
    """Start with `start()`; `url` is its base. Keys can be rotated to test refreshing."""

    key: rsa.RSAPrivateKey = field(default_factory=new_key)
    kid: str = "test-key-1"
    hits: Counter = field(default_factory=Counter)
    sent: List[Sent] = field(default_factory=list)
    token_requests: List[Dict[str, List[str]]] = field(default_factory=list)
    extra_keys: Dict[str, rsa.RSAPrivateKey] = field(default_factory=dict)
    _server: Optional[ThreadingHTTPServer] = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def issuer(self) -> str:
        return self.url  # TEAMS_API_BASE points here, so the expected issuer is this URL

    @property
    def openid_url(self) -> str:
        return f"{self.url}/v1/.well-known/openidconfiguration"

    @property
    def token_url(self) -> str:
        return f"{self.url}/botframework.com/oauth2/v2.0/token"

    @property
    def service_url(self) -> str:
        return f"{self.url}/teams-service/"

    def jwks(self) -> Dict[str, Any]:
        keys = [public_jwk(self.key, self.kid)]
        keys += [public_jwk(k, kid) for kid, k in self.extra_keys.items()]
        return {"keys": keys}

    def add_key(self, kid: str) -> rsa.RSAPrivateKey:
        """A new published key, as when Microsoft rotates keys."""
        key = new_key()
        self.extra_keys[kid] = key
        return key

    def sign(self, key: Optional[rsa.RSAPrivateKey] = None, kid: Optional[str] = None, **overrides: Any) -> str:
        """A Bot Framework token; any claim can be overridden, or removed with None."""
        now = int(time.time())
        claims: Dict[str, Any] = {
            "iss": self.issuer, "aud": APP_ID, "serviceurl": self.service_url,
            "nbf": now - 10, "exp": now + 3600, "iat": now - 10,
        }
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid})

    def replies_for(self, conversation_id: str) -> List[Sent]:
        return [s for s in self.sent if unquote(s.path).startswith(f"/teams-service/v3/conversations/{conversation_id}/")]

    def start(self) -> "FakeBotFramework":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, body: Any, status: int = 200) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def do_GET(self) -> None:  # noqa: N802
                if self.path == "/v1/.well-known/openidconfiguration":
                    fake.hits["openid"] += 1
                    self._json({"issuer": fake.issuer, "jwks_uri": f"{fake.url}/v1/.well-known/keys",
                                "id_token_signing_alg_values_supported": ["RS256"]})
                elif self.path == "/v1/.well-known/keys":
                    fake.hits["jwks"] += 1
                    self._json(fake.jwks())
                else:
                    self._json({"error": "not found"}, 404)

            def do_POST(self) -> None:  # noqa: N802
                body = self._body()
                if self.path == "/botframework.com/oauth2/v2.0/token":
                    fake.hits["token"] += 1
                    form = parse_qs(body.decode())
                    fake.token_requests.append(form)
                    if form.get("client_secret") != [APP_PASSWORD]:
                        self._json({"error": "invalid_client"}, 401)
                        return
                    self._json({"token_type": "Bearer", "expires_in": 3600, "access_token": ACCESS_TOKEN})
                elif self.path.startswith("/teams-service/v3/conversations/"):
                    fake.hits["activities"] += 1
                    fake.sent.append(Sent(self.path, self.headers.get("Authorization", ""), json.loads(body or b"{}")))
                    self._json({"id": str(uuid.uuid4())}, 201)
                else:
                    self._json({"error": "not found"}, 404)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def activity(fake: FakeBotFramework, text: str = "hej", conversation: str = "a:conv-1", sender: str = "29:user-1",
             activity_type: str = "message", **extra: Any) -> Dict[str, Any]:
    """A Teams activity as the Bot Framework posts it to the bot."""
    body: Dict[str, Any] = {
        "type": activity_type,
        "id": f"act-{uuid.uuid4().hex[:8]}",
        "timestamp": "2024-05-02T09:00:00.000Z",
        "serviceUrl": fake.service_url,
        "channelId": "msteams",
        "from": {"id": sender, "name": "Anna Handläggare", "aadObjectId": "aad-" + sender},
        "conversation": {"id": conversation, "conversationType": "personal", "tenantId": "tenant-1"},
        "recipient": {"id": f"28:{APP_ID}", "name": "SGI-boten"},
        "channelData": {"tenant": {"id": "tenant-1"}},
    }
    if activity_type == "message":
        body["text"] = text
        body["textFormat"] = "plain"
    body.update(extra)
    return body
