"""The Teams channel's pieces without a Rasa server: parsing, cards, settings and replies."""
from __future__ import annotations

import json
from typing import Any, AsyncIterator, Iterator, List

import pytest

from bot.channels import teams
from rasa.core.channels.channel import UserMessage
from bot.channels.teams_cards import HERO_CARD, card_action, hero_cards, strip_mentions
from tests.teams.fake_botframework import ACCESS_TOKEN, APP_ID, APP_PASSWORD, FakeBotFramework, activity


@pytest.fixture
def fake() -> Iterator[FakeBotFramework]:
    running = FakeBotFramework().start()
    yield running
    running.stop()


@pytest.fixture
async def channel(fake: FakeBotFramework) -> AsyncIterator[teams.TeamsInput]:
    settings = teams.TeamsSettings(APP_ID, APP_PASSWORD, fake.openid_url, fake.token_url, fake.url)
    instance = teams.TeamsInput(settings)
    yield instance
    if instance._session is not None:
        await instance._session.close()


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("<at>SGI-boten</at> hej", "hej"),
        ("Hej <at id=\"0\">Bot</at>, vad är SIP?", "Hej , vad är SIP?"),
        ("<p>vad &auml;r <b>SGI</b>?</p>", "vad är SGI ?"),
        ("<at>Bot</at>", ""),
        (None, ""),
    ],
)
def test_mentions_and_markup_are_stripped(raw: Any, expected: str) -> None:
    assert strip_mentions(raw) == expected


def test_payload_buttons_become_message_back_actions() -> None:
    action = card_action({"title": "Blanketter", "payload": "/ask_form"})
    assert action == {"type": "messageBack", "title": "Blanketter", "text": "/ask_form",
                      "displayText": "Blanketter", "value": {"payload": "/ask_form"}}
    link = card_action({"title": "Läs mer", "type": "web_url", "url": "https://example.se"})
    assert link == {"type": "openUrl", "title": "Läs mer", "value": "https://example.se"}


def test_many_buttons_are_split_over_hero_cards() -> None:
    cards = hero_cards("Välj", [{"title": str(i), "payload": f"/p{i}"} for i in range(8)])
    assert [c["contentType"] for c in cards] == [HERO_CARD, HERO_CARD]
    assert cards[0]["content"]["text"] == "Välj" and "text" not in cards[1]["content"]
    assert [len(c["content"]["buttons"]) for c in cards] == [6, 2]


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[1]", b'{"type": "message"}', json.dumps({"type": "message", "serviceUrl": "x"}).encode()],
)
def test_incomplete_activities_are_not_parsed(body: bytes) -> None:
    assert teams.parse_activity(body) is None


def test_settings_come_from_the_environment_first() -> None:
    creds = {"token_url": "https://from-yaml/token", "api_base": "https://yaml-api"}
    env = {"MICROSOFT_APP_ID": "id", "MICROSOFT_APP_PASSWORD": "pw", "TEAMS_API_BASE": "https://env-api"}
    settings = teams.TeamsSettings.load(creds, env)
    assert (settings.app_id, settings.app_password) == ("id", "pw") and settings.configured
    assert settings.token_url == "https://from-yaml/token"
    assert settings.api_base == "https://env-api" and settings.token_scope == "https://env-api/.default"
    assert settings.openid_metadata_url == teams.auth.DEFAULT_OPENID_METADATA_URL


def test_secrets_are_never_read_from_credentials() -> None:
    settings = teams.TeamsSettings.load({"app_id": "yaml-id", "app_password": "yaml-pw"}, {})
    assert not settings.configured


def test_single_tenant_bots_get_their_tenant_token_url() -> None:
    settings = teams.TeamsSettings.load(None, {"MICROSOFT_APP_TENANT_ID": "contoso-tenant"})
    assert settings.token_url == "https://login.microsoftonline.com/contoso-tenant/oauth2/v2.0/token"


def test_bot_added_is_recognised(fake: FakeBotFramework) -> None:
    added = activity(fake, activity_type="conversationUpdate", membersAdded=[{"id": f"28:{APP_ID}"}])
    other = activity(fake, activity_type="conversationUpdate", membersAdded=[{"id": "29:someone"}])
    assert teams.bot_was_added(added) and not teams.bot_was_added(other)


async def test_handle_replies_in_the_same_thread(fake: FakeBotFramework, channel: teams.TeamsInput) -> None:
    received: List[UserMessage] = []

    async def bot(message: UserMessage) -> None:
        received.append(message)
        await message.output_channel.send_response(message.sender_id, {
            "text": "Välj ett ämne", "buttons": [{"title": "Blanketter", "payload": "/ask_form"}]})

    incoming = activity(fake, text="<at>Bot</at> hej", conversation="19:abc@thread.skype;messageid=42")
    await channel.handle(incoming, bot)
    assert [m.text for m in received] == ["hej"] and received[0].sender_id == "29:user-1"
    (sent,) = fake.sent
    assert sent.path == (
        "/teams-service/v3/conversations/19%3Aabc%40thread.skype%3Bmessageid%3D42/activities/" + incoming["id"]
    )
    assert sent.authorization == f"Bearer {ACCESS_TOKEN}"
    assert sent.body["replyToId"] == incoming["id"]
    assert sent.body["conversation"]["id"] == incoming["conversation"]["id"]
    assert sent.body["attachments"][0]["contentType"] == HERO_CARD


async def test_too_long_text_gets_a_swedish_answer_and_never_reaches_the_bot(
    fake: FakeBotFramework, channel: teams.TeamsInput
) -> None:
    async def bot(message: UserMessage) -> None:
        raise AssertionError("must not be called")

    await channel.handle(activity(fake, text="a" * 2001), bot)
    assert "för långt" in fake.sent[0].body["text"]


async def test_a_failing_bot_gives_the_user_a_swedish_apology(fake: FakeBotFramework, channel: teams.TeamsInput) -> None:
    async def bot(message: UserMessage) -> None:
        raise RuntimeError("boom")

    await channel.handle(activity(fake, text="hej"), bot)
    assert fake.sent[0].body["text"].startswith("Något gick fel")


async def test_empty_text_and_other_activities_are_ignored(fake: FakeBotFramework, channel: teams.TeamsInput) -> None:
    async def bot(message: UserMessage) -> None:
        raise AssertionError("must not be called")

    await channel.handle(activity(fake, text="<at>Bot</at>"), bot)
    await channel.handle(activity(fake, activity_type="typing"), bot)
    assert fake.sent == []


def test_unconfigured_channel_loads_and_logs_one_line(caplog: pytest.LogCaptureFixture,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MICROSOFT_APP_ID", raising=False)
    monkeypatch.delenv("MICROSOFT_APP_PASSWORD", raising=False)
    instance = teams.TeamsInput.from_credentials(None)
    assert not instance.settings.configured
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.channels.teams"]
    assert len(lines) == 1 and "MICROSOFT_APP_ID" in lines[0] and "401" in lines[0]


async def test_custom_data_for_other_channels_is_not_sent(fake: FakeBotFramework, channel: teams.TeamsInput) -> None:
    async def bot(message: UserMessage) -> None:
        await message.output_channel.send_response(message.sender_id, {"text": "Svar", "custom": {"kb_step": "fk-1"}})
        card = {"contentType": "application/vnd.microsoft.card.adaptive", "content": {"type": "AdaptiveCard"}}
        await message.output_channel.send_response(message.sender_id, {"custom": {"teams": {"attachments": [card]}}})

    await channel.handle(activity(fake, text="hej"), bot)
    assert [s.body.get("text") for s in fake.sent] == ["Svar", None]
    assert fake.sent[1].body["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
