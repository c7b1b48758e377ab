"""The running bot through its Teams channel, with a fake Bot Framework on 127.0.0.1."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any, Optional, Tuple

import pytest

from bot.run import Stack
from tests.server_stack import user_texts
from tests.teams.fake_botframework import APP_ID, FakeBotFramework, activity, new_key

pytestmark = pytest.mark.server


def webhook(stack: Stack) -> str:
    return f"http://127.0.0.1:{stack.rasa_port}/webhooks/teams/webhook"


def post(stack: Stack, body: Any, token: Optional[str]) -> Tuple[int, Any]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(webhook(stack), data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def texts(sent: Any) -> str:
    return " ".join(s.body.get("text", "") for s in sent)


def test_signed_message_gets_a_swedish_greeting_in_the_same_thread(
    teams_stack: Stack, fake_bf: FakeBotFramework
) -> None:
    incoming = activity(fake_bf, text="<at>SGI-boten</at> hej", conversation="19:kanal@thread.skype;messageid=7",
                        sender="29:greet-user")
    status, _ = post(teams_stack, incoming, fake_bf.sign())
    assert status == 200
    replies = fake_bf.replies_for("19:kanal@thread.skype;messageid=7")
    assert replies, "the bot must answer in the conversation"
    reply = replies[0]
    assert reply.path.endswith(f"/activities/{incoming['id']}")
    assert reply.body["replyToId"] == incoming["id"]
    assert reply.body["conversation"]["id"] == "19:kanal@thread.skype;messageid=7"
    assert reply.body["recipient"]["id"] == "29:greet-user"
    assert reply.authorization.startswith("Bearer ")
    assert texts(replies).startswith("Hej!") and "sjukpenninggrundande inkomst" in texts(replies)
    assert user_texts(teams_stack.tracker_db, "29:greet-user") == ["hej"]


def test_buttons_arrive_as_a_hero_card(teams_stack: Stack, fake_bf: FakeBotFramework) -> None:
    """A button click arrives as its payload (messageBack); utter_out_of_scope has one button."""
    conversation = "a:buttons-conv"
    status, _ = post(teams_stack, activity(fake_bf, text="/out_of_scope", conversation=conversation,
                                           sender="29:button-user"), fake_bf.sign())
    assert status == 200
    replies = fake_bf.replies_for(conversation)
    cards = [a for s in replies for a in s.body.get("attachments", [])]
    assert cards, [s.body for s in replies]
    assert cards[0]["contentType"] == "application/vnd.microsoft.card.hero"
    assert cards[0]["content"]["text"].startswith("Det kan jag tyvärr inte")
    assert cards[0]["content"]["buttons"] == [{
        "type": "messageBack", "title": "Vad kan du svara på?", "text": "/help",
        "displayText": "Vad kan du svara på?", "value": {"payload": "/help"},
    }]


def test_bot_added_to_a_conversation_greets(teams_stack: Stack, fake_bf: FakeBotFramework) -> None:
    conversation = "a:added-conv"
    update = activity(fake_bf, activity_type="conversationUpdate", conversation=conversation, sender="29:adder",
                      membersAdded=[{"id": f"28:{APP_ID}"}])
    status, _ = post(teams_stack, update, fake_bf.sign())
    assert status == 200
    assert texts(fake_bf.replies_for(conversation)).startswith("Hej!")


def test_someone_else_added_gets_no_greeting(teams_stack: Stack, fake_bf: FakeBotFramework) -> None:
    conversation = "a:other-added-conv"
    update = activity(fake_bf, activity_type="conversationUpdate", conversation=conversation, sender="29:adder2",
                      membersAdded=[{"id": "29:new-colleague"}])
    assert post(teams_stack, update, fake_bf.sign())[0] == 200
    assert fake_bf.replies_for(conversation) == []


def _refused_token(fake: FakeBotFramework, case: str) -> Optional[str]:
    now = int(time.time())
    return {
        "forged": lambda: fake.sign(key=new_key()),
        "audience": lambda: fake.sign(aud="another-bot"),
        "issuer": lambda: fake.sign(iss="https://evil.example"),
        "expired": lambda: fake.sign(exp=now - 600, nbf=now - 7200, iat=now - 7200),
        "missing": lambda: None,
        "service_url": lambda: fake.sign(serviceurl="https://evil.example/"),
    }[case]()


@pytest.mark.parametrize("case", ["forged", "audience", "issuer", "expired", "missing", "service_url"])
def test_unauthenticated_requests_get_401_and_never_reach_the_bot(
    teams_stack: Stack, fake_bf: FakeBotFramework, case: str
) -> None:
    sender, conversation = f"29:attacker-{case}", f"a:attack-{case}"
    status, _ = post(teams_stack, activity(fake_bf, text="hej", conversation=conversation, sender=sender),
                     _refused_token(fake_bf, case))
    assert status == 401
    assert user_texts(teams_stack.tracker_db, sender) == []
    assert fake_bf.replies_for(conversation) == []


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"type": "message", "text": "hej"}'])
def test_bad_bodies_get_400(teams_stack: Stack, fake_bf: FakeBotFramework, body: bytes) -> None:
    assert post(teams_stack, body, fake_bf.sign())[0] == 400


def test_bad_body_without_a_valid_token_gets_401(teams_stack: Stack) -> None:
    assert post(teams_stack, b"not json", None)[0] == 401


def test_new_signing_key_triggers_one_refresh(teams_stack: Stack, fake_bf: FakeBotFramework) -> None:
    sender, conversation = "29:rotated-user", "a:rotated-conv"
    post(teams_stack, activity(fake_bf, text="hej", sender="29:warm-up", conversation="a:warm"), fake_bf.sign())
    before = fake_bf.hits["jwks"]
    rotated = fake_bf.add_key("rotated-in-server")
    status, _ = post(teams_stack, activity(fake_bf, text="hej", conversation=conversation, sender=sender),
                     fake_bf.sign(key=rotated, kid="rotated-in-server"))
    assert status == 200
    assert fake_bf.hits["jwks"] == before + 1
    assert user_texts(teams_stack.tracker_db, sender) == ["hej"]
