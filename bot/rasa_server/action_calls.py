"""Adjustments 1 and 2: the calls to the action server.

1. The action server's reply is checked with a compiled JSON-schema validator, each event
   against the one alternative of the schema's `oneOf` with its event name.
2. All calls reuse one HTTP session and its keep-alive connections.
Why and how much: see the package docstring (bot/rasa_server/__init__.py).
"""
from __future__ import annotations

import asyncio
import os
import ssl
from functools import lru_cache
from typing import Any, Dict, Optional, Text, Tuple

import aiohttp
from aiohttp.client_exceptions import ContentTypeError
from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.exceptions import FileNotFoundException
from rasa.utils.endpoints import ClientResponseError, EndpointConfig, concat_url

from bot.rasa_server.sources import RasaVersionError, expect_source

# Client-side idle limit for action-server connections; must stay below the server's.
ACTION_KEEPALIVE_SECONDS = 2.0


# --- 1. compiled check of the action server's reply -------------------------------------

@lru_cache(maxsize=1)
def _response_validator() -> Any:
    """The validator for the action server's reply, built (and its schema checked) once."""
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


@lru_cache(maxsize=1)
def _per_event_validators() -> Optional[Tuple[Any, Dict[Text, Any]]]:
    """The reply's schema without its event check, and one validator per event type.

    Each event must match exactly one of the 23 alternatives of the schema's `oneOf`, and
    they differ by a constant `event` name. So an event is valid exactly when it is valid
    against the one alternative with its name: checking that one is the same answer as
    checking all 23, which is most of the time of a full check. None if the schema is not
    of that shape (then every reply gets the full check).
    """
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    item = schema["properties"]["events"]["items"]
    names = [alternative.get("properties", {}).get("event", {}).get("const") for alternative in item["oneOf"]]
    if not all(isinstance(name, str) for name in names) or len(set(names)) != len(names):
        return None
    base = {key: value for key, value in item.items() if key != "oneOf"}
    per_type = {name: validator_class({**base, "allOf": [alt]}) for name, alt in zip(names, item["oneOf"])}
    events_unchecked = {**schema["properties"]["events"], "items": {}}
    outer = {**schema, "properties": {**schema["properties"], "events": events_unchecked}}
    return validator_class(outer), per_type


def reply_is_valid(result: Any) -> bool:
    """True only if the full check would accept `result`; False means: run the full check."""
    validators_ = _per_event_validators()
    if validators_ is None:
        return False
    outer, per_type = validators_
    if not outer.is_valid(result):
        return False
    for event in result.get("events") or []:
        if not isinstance(event, dict):
            return False
        name = event.get("event")
        if not isinstance(name, str) or name not in per_type or not per_type[name].is_valid(event):
            return False
    return True


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """Same contract as `RemoteAction._validate_action_result`, without the per-call schema check."""
    if reply_is_valid(result):
        return True
    error = exceptions.best_match(_response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


# --- 2. one HTTP session for all calls to the action server ------------------------------

class PooledActionEndpoint(EndpointConfig):
    """The `action_endpoint` of endpoints.yml, sending every call through one reused session."""

    _pooled_session: Optional[aiohttp.ClientSession] = None
    _pooled_loop: Optional[asyncio.AbstractEventLoop] = None

    @classmethod
    def from_endpoint(cls, endpoint: EndpointConfig) -> "PooledActionEndpoint":
        """The same configuration (url, headers, auth, token, ...), as a pooled endpoint."""
        pooled = cls.__new__(cls)
        pooled.__dict__.update(vars(endpoint))
        return pooled

    def pooled_session(self) -> aiohttp.ClientSession:
        """This event loop's session; configured like Rasa's `EndpointConfig.session()`."""
        loop = asyncio.get_running_loop()
        session = self._pooled_session
        if session is None or session.closed or self._pooled_loop is not loop:
            auth = (
                aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
                if self.basic_auth else None
            )
            session = aiohttp.ClientSession(
                headers=self.headers,
                auth=auth,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=ACTION_KEEPALIVE_SECONDS),
            )
            self._pooled_session, self._pooled_loop = session, loop
        return session

    async def close(self) -> None:
        """Close the session and its connections (when the server stops)."""
        if self._pooled_session is not None and not self._pooled_session.closed:
            await self._pooled_session.close()
        self._pooled_session = None

    async def request(
        self,
        method: Text = "post",
        subpath: Optional[Text] = None,
        content_type: Optional[Text] = "application/json",
        compress: bool = False,
        **kwargs: Any,
    ) -> Optional[Any]:
        """Rasa's `EndpointConfig.request`, line for line, on the pooled session instead of a new one."""
        headers = {}
        if content_type:
            headers["Content-Type"] = content_type

        if "headers" in kwargs:
            headers.update(kwargs["headers"])
            del kwargs["headers"]

        if self.headers:
            headers.update(self.headers)

        url = concat_url(self.url, subpath)

        sslcontext = None
        if self.cafile:
            try:
                sslcontext = ssl.create_default_context(cafile=self.cafile)
            except FileNotFoundError as e:
                raise FileNotFoundException(
                    f"Failed to find certificate file, "
                    f"'{os.path.abspath(self.cafile)}' does not exist."
                ) from e

        session = self.pooled_session()
        async with session.request(
            method,
            url,
            headers=headers,
            params=self.combine_parameters(kwargs),
            compress=compress,
            ssl=sslcontext,
            **kwargs,
        ) as response:
            if response.status >= 400:
                raise ClientResponseError(
                    response.status,
                    response.reason,
                    await response.content.read(),
                )
            try:
                return await response.json()
            except ContentTypeError:
                return None


def _check_keepalive_below_action_server() -> None:
    from sanic.config import DEFAULT_CONFIG

    if ACTION_KEEPALIVE_SECONDS >= DEFAULT_CONFIG["KEEP_ALIVE_TIMEOUT"]:
        raise RasaVersionError(
            f"ACTION_KEEPALIVE_SECONDS ({ACTION_KEEPALIVE_SECONDS}) must be below the action "
            f"server's Sanic KEEP_ALIVE_TIMEOUT ({DEFAULT_CONFIG['KEEP_ALIVE_TIMEOUT']})."
        )


def install_pooled_action_endpoint() -> None:
    """Wrap the action endpoint read from endpoints.yml, and close its session when Rasa stops."""
    import rasa.core.run
    from rasa.core.utils import AvailableEndpoints

    if getattr(AvailableEndpoints.read_endpoints, "_bot_pooled", False):
        return
    expect_source(EndpointConfig.request)
    expect_source(EndpointConfig.session)
    expect_source(AvailableEndpoints.read_endpoints)
    expect_source(rasa.core.run.close_resources)
    _check_keepalive_below_action_server()

    read_endpoints = AvailableEndpoints.read_endpoints.__func__
    close_resources = rasa.core.run.close_resources

    def read_endpoints_pooled(cls: type, endpoint_file: Text) -> AvailableEndpoints:
        endpoints = read_endpoints(cls, endpoint_file)
        if endpoints.action is not None:
            endpoints.action = PooledActionEndpoint.from_endpoint(endpoints.action)
        return endpoints

    async def close_resources_and_action_session(app: Any, loop: asyncio.AbstractEventLoop) -> None:
        endpoint = getattr(getattr(app.ctx, "agent", None), "action_endpoint", None)
        if isinstance(endpoint, PooledActionEndpoint):
            await endpoint.close()
        await close_resources(app, loop)

    read_endpoints_pooled._bot_pooled = True  # type: ignore[attr-defined]
    AvailableEndpoints.read_endpoints = classmethod(read_endpoints_pooled)  # type: ignore[assignment]
    rasa.core.run.close_resources = close_resources_and_action_session


def install_reply_check() -> None:
    if RemoteAction._validate_action_result is not validate_action_result:
        expect_source(RemoteAction._validate_action_result)
    _response_validator()
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[assignment]
