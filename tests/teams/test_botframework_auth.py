"""The token validator and the bot-token cache, against the fake Bot Framework (no Rasa)."""
from __future__ import annotations

import time
from typing import AsyncIterator, Iterator

import aiohttp
import jwt
import pytest

from bot.channels import botframework_auth as auth
from tests.teams.fake_botframework import ACCESS_TOKEN, APP_ID, APP_PASSWORD, FakeBotFramework, new_key


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture
def fake() -> Iterator[FakeBotFramework]:
    running = FakeBotFramework().start()
    yield running
    running.stop()


def make_validator(fake: FakeBotFramework, session: aiohttp.ClientSession, **kwargs: float) -> auth.TokenValidator:
    keys = auth.SigningKeys(lambda: session, fake.openid_url, **kwargs)
    return auth.TokenValidator(APP_ID, fake.issuer, keys)


async def test_valid_token_gives_its_claims(fake: FakeBotFramework, session: aiohttp.ClientSession) -> None:
    claims = await make_validator(fake, session).validate(f"Bearer {fake.sign()}", "msteams")
    auth.check_service_url(claims, fake.service_url)
    assert claims["aud"] == APP_ID


async def test_keys_are_fetched_lazily_and_cached(fake: FakeBotFramework, session: aiohttp.ClientSession) -> None:
    validator = make_validator(fake, session)
    assert fake.hits["jwks"] == 0, "nothing may be fetched before the first request"
    for _ in range(3):
        await validator.validate(f"Bearer {fake.sign()}")
    assert (fake.hits["openid"], fake.hits["jwks"]) == (1, 1)


@pytest.mark.parametrize(
    "case",
    ["forged", "audience", "issuer", "expired", "not_yet_valid", "no_exp", "hs256", "garbage", "no_bearer"],
)
async def test_bad_tokens_are_refused(fake: FakeBotFramework, session: aiohttp.ClientSession, case: str) -> None:
    now = int(time.time())
    header = {
        "forged": lambda: f"Bearer {fake.sign(key=new_key())}",  # right kid, other key
        "audience": lambda: f"Bearer {fake.sign(aud='some-other-bot')}",
        "issuer": lambda: f"Bearer {fake.sign(iss='https://evil.example')}",
        "expired": lambda: f"Bearer {fake.sign(exp=now - 400, nbf=now - 4000)}",  # beyond the 5 min skew
        "not_yet_valid": lambda: f"Bearer {fake.sign(nbf=now + 400)}",
        "no_exp": lambda: f"Bearer {fake.sign(exp=None)}",
        "hs256": lambda: "Bearer " + jwt.encode({"aud": APP_ID, "iss": fake.issuer, "exp": now + 60},
                                                 "s" * 32, algorithm="HS256", headers={"kid": fake.kid}),
        "garbage": lambda: "Bearer not.a.token",
        "no_bearer": lambda: fake.sign(),
    }[case]()
    with pytest.raises(auth.AuthError):
        await make_validator(fake, session).validate(header, "msteams")


async def test_small_clock_skew_is_tolerated(fake: FakeBotFramework, session: aiohttp.ClientSession) -> None:
    now = int(time.time())
    await make_validator(fake, session).validate(f"Bearer {fake.sign(exp=now - 120, nbf=now - 3600)}")


@pytest.mark.parametrize("service_url", ["https://evil.example/", None, ""])
def test_service_url_must_match_the_signed_claim(fake: FakeBotFramework, service_url: object) -> None:
    with pytest.raises(auth.AuthError):
        auth.check_service_url({"serviceurl": fake.service_url}, service_url)
    with pytest.raises(auth.AuthError):
        auth.check_service_url({}, fake.service_url)


def test_service_url_ignores_a_trailing_slash(fake: FakeBotFramework) -> None:
    auth.check_service_url({"serviceurl": fake.service_url}, fake.service_url.rstrip("/"))


async def test_key_not_endorsed_for_the_channel_is_refused(fake: FakeBotFramework, session: aiohttp.ClientSession) -> None:
    with pytest.raises(auth.AuthError, match="endorsed"):
        await make_validator(fake, session).validate(f"Bearer {fake.sign()}", "skype")


async def test_unknown_kid_refreshes_the_keys_once(fake: FakeBotFramework, session: aiohttp.ClientSession) -> None:
    validator = make_validator(fake, session)
    await validator.validate(f"Bearer {fake.sign()}")
    rotated = fake.add_key("rotated-key")
    await validator.validate(f"Bearer {fake.sign(key=rotated, kid='rotated-key')}")
    assert fake.hits["jwks"] == 2
    with pytest.raises(auth.AuthError, match="unknown"):
        await validator.validate(f"Bearer {fake.sign(kid='never-published')}")
    assert fake.hits["jwks"] == 2, "a second unknown kid within the cooldown must not refetch"


async def test_unreachable_keys_are_an_upstream_error(session: aiohttp.ClientSession) -> None:
    keys = auth.SigningKeys(lambda: session, "http://127.0.0.1:9/nothing-here")
    validator = auth.TokenValidator(APP_ID, "https://api.botframework.com", keys)
    with pytest.raises(auth.UpstreamError):
        await validator.validate(f"Bearer {jwt.encode({'a': 1}, new_key(), 'RS256', headers={'kid': 'k'})}")


async def test_bot_token_is_fetched_once_and_cached(fake: FakeBotFramework, session: aiohttp.ClientSession) -> None:
    tokens = auth.BotTokens(lambda: session, fake.token_url, APP_ID, APP_PASSWORD, f"{fake.url}/.default")
    assert [await tokens.token() for _ in range(3)] == [ACCESS_TOKEN] * 3
    assert fake.hits["token"] == 1
    form = fake.token_requests[0]
    assert form["grant_type"] == ["client_credentials"] and form["client_id"] == [APP_ID]
    assert form["scope"] == [f"{fake.url}/.default"]


async def test_wrong_secret_is_an_upstream_error(fake: FakeBotFramework, session: aiohttp.ClientSession) -> None:
    tokens = auth.BotTokens(lambda: session, fake.token_url, APP_ID, "wrong", "x/.default")
    with pytest.raises(auth.UpstreamError):
        await tokens.token()
