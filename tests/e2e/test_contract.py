"""The stand-in holds requests to Discord's published OpenAPI schema (``spec/openapi.json``):
a body Discord would refuse gets Discord's 400 with the spec's own limit, and is a violation.

The validator on its own, the stand-in over HTTP, discord.py's own HTTP client reading the
stand-in's refusal as it reads Discord's, and the real bot against a stand-in whose Discord
allows an embed description of 50 characters only (its ordinary answers are then refused).
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request

import discord
import discord.http
import pytest

from .conftest import responded
from .spec.contract import SPEC_PATH, DiscordContract, discord_errors
from .standin import API_PREFIX, DiscordStandIn, check_message_payload

CALLBACK = "/api/v10/interactions/1/token/callback"
NO_PINGS = {"parse": []}


@pytest.fixture(scope="module")
def contract() -> DiscordContract:
    return DiscordContract.load()


def reply(**embed: object) -> dict:
    return {"type": 4, "data": {"embeds": [embed], "allowed_mentions": NO_PINGS}}


def too_long(limit: int) -> dict:
    """Discord's error for a field over its length."""
    message = f"Must be {limit} or fewer in length."
    return {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": message}]}


def refusals(contract: DiscordContract, body: dict, path: str = CALLBACK) -> list[str]:
    return [str(e) for e in contract.check("POST", path, body)]


def test_a_reply_within_the_limits_passes(contract):
    assert refusals(contract, reply(title="t", description="d" * 4096, color=0x5865F2)) == []


def test_a_reply_built_too_long_fails_with_the_specs_limit(contract):
    assert refusals(contract, reply(title="t", description="d" * 5000)) == [
        "data.embeds.0.description: Must be 4096 or fewer in length. "
        "[RichEmbed.description maxLength 4096]"
    ]


def test_an_invalid_component_fails_with_the_specs_rule(contract):
    body = reply(description="d")
    row = {"type": 1, "components": [{"type": 2, "style": 1, "label": "L" * 81, "custom_id": "x"}]}
    body["data"]["components"] = [row]
    assert refusals(contract, body) == [
        "data.components.0.components.0.label: Must be 80 or fewer in length. "
        "[ButtonComponentForMessageRequest.label maxLength 80]"
    ]
    row["components"] = [{"type": 2, "label": "More", "custom_id": "x"}]  # a button needs a style
    assert refusals(contract, body) == [
        "data.components.0.components.0.style: This field is required "
        '[ButtonComponentForMessageRequest required ["type", "style"]]'
    ]
    row["components"] = [{"type": 2, "style": 9, "custom_id": "x"}]
    assert refusals(contract, body) == [
        "data.components.0.components.0.style: Value must be one of (1, 2, 3, 4, 5, 6). "
        "[ButtonStyleTypes enum [1, 2, 3, 4, 5, 6]]"
    ]
    body["data"]["components"] = [{"type": 99}]
    assert refusals(contract, body)[0].startswith("data.components.0.type: Value must be one of")


def test_a_wrong_field_type_fails_with_the_specs_type(contract):
    assert refusals(contract, reply(description="d", color="red")) == [
        'data.embeds.0.color: Value "red" is not int. [RichEmbed.color type ["integer", "null"]]'
    ]
    assert refusals(contract, reply(description="d", color=16777216)) == [
        "data.embeds.0.color: int value should be less than or equal to 16777215. "
        "[RichEmbed.color maximum 16777215]"
    ]
    assert refusals(contract, {"type": 4, "data": {"content": 5}}) == [
        'data.content: Could not interpret "5" as string. '
        '[IncomingWebhookInteractionRequest.content type ["string", "null"]]'
    ]


def test_unions_are_read_by_the_branch_the_body_means(contract):
    """Autocomplete choices may be integers, numbers or strings: string choices are judged as
    strings; a callback type no union branch takes names the ones it would."""
    body = {"type": 8, "data": {"choices": [{"name": "", "value": "v"}]}}
    assert refusals(contract, body) == [
        "data.choices.0.name: Must be between 1 and 100 in length. "
        "[ApplicationCommandOptionStringChoice.name minLength 1]"
    ]
    assert refusals(contract, {"type": 3}) == [
        "type: Value must be one of (1, 4, 5, 6, 7, 8, 9, 12, 13). "
        "[create_interaction_response enum [1, 4, 5, 6, 7, 8, 9, 12, 13]]"
    ]


def test_what_discord_accepts_beyond_the_letter_of_the_spec(contract):
    """Snowflakes as JSON numbers (discord.py sends reply references and mention ids so), digit
    strings for integers (permissions), a digit-string nonce."""
    body = {
        "content": "hi",
        "message_reference": {"message_id": 1234, "fail_if_not_exists": False},
        "allowed_mentions": {"parse": [], "users": [5]},
        "nonce": "1234567890",
        "enforce_nonce": True,
        "flags": "64",
    }
    assert refusals(contract, body, "/api/v10/channels/1/messages") == []
    command = {"name": "ask", "description": "d", "default_member_permissions": "32"}
    assert contract.check("PUT", "/api/v10/applications/1/commands", [command]) == []


def test_what_the_schema_cannot_say_is_checked_by_hand():
    """Within the schema, still refused by Discord: 6,000 characters across the embeds, a sixth
    action row, a custom_id twice, a bot's content over 2,000 characters, an empty field, an
    embed link to a ``javascript:`` URL."""
    button = {"type": 2, "style": 1, "label": "More", "custom_id": "same"}
    body = {
        "content": "c" * 2001,
        "embeds": [{"description": "d" * 4000}, {"fields": [{"name": "n", "value": " "}]}] * 2,
        "components": [{"type": 1, "components": [button]}] * 6,
        "allowed_mentions": NO_PINGS,
    }
    body["embeds"][0] = {**body["embeds"][0], "url": "javascript://x/alert(1)"}
    assert check_message_payload(body) == [
        "content: Must be 2000 or fewer in length.",
        "embeds.0.url: Scheme 'javascript' is not supported. Scheme must be one of "
        "('http', 'https').",
        "embeds.1.fields.0: name and value must not be empty",
        "embeds.3.fields.0: name and value must not be empty",
        "embeds: 8004 characters in all > 6000",
        "components: 6 rows > 5",
        "components: duplicate custom_id same",
    ]


def test_path_parameters_are_held_to_the_spec_too(contract):
    """A channel id that is no snowflake (``None`` formatted into the path) is refused as
    Discord refuses it; ``@original`` is a route of its own, not a message id."""
    assert refusals(contract, {"content": "hi"}, "/api/v10/channels/None/messages") == [
        'channel_id: Value "None" is not snowflake. '
        "[/channels/{channel_id}/messages channel_id pattern ^(0|[1-9][0-9]*)$]"
    ]
    assert contract.check("PATCH", "/webhooks/1/t/messages/@original", {"content": "x"}) == []


def test_routes_match_the_most_specific_template(contract):
    assert contract.operation("GET", "/api/v10/users/@me").operation_id == "get_my_user"
    assert contract.operation("POST", "/users/@me/channels").operation_id == "create_dm"
    op = contract.operation("PATCH", "/webhooks/1/t/messages/@original")
    assert op.operation_id == "update_original_webhook_message"
    assert [e.code for e in contract.check("POST", "/api/v10/nothing/here", None)] == [
        "UNKNOWN_ROUTE"
    ]


def test_errors_have_discords_shape(contract):
    problems = contract.check("POST", CALLBACK, reply(description="d" * 5000, title="t" * 300))
    assert discord_errors(problems) == {
        "data": {
            "embeds": {
                "0": {
                    "description": too_long(4096),
                    "title": too_long(256),
                }
            }
        }
    }


@pytest.fixture
def server():
    standin = DiscordStandIn().start()
    yield standin
    standin.stop()


def test_every_route_the_standin_serves_is_in_the_spec(server, contract):
    assert server._runner is not None
    served = [
        (route.method, route.resource.canonical)
        for route in server._runner.app.router.routes()
        if route.method != "HEAD" and route.resource.canonical.startswith(API_PREFIX)
    ]
    assert len(served) > 15
    missing = [
        (method, path)
        for method, path in served
        if contract.operation(method, path.replace("{", "").replace("}", "")) is None
    ]
    assert missing == []


def post(server: DiscordStandIn, path: str, body: object) -> tuple[int, dict]:
    request = urllib.request.Request(
        server.api_base + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bot {server.TOKEN}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_standin_answers_a_refused_body_as_discord_does(server):
    channel = server.channel["general"]["id"]
    body = {"embeds": [{"description": "d" * 5000}], "allowed_mentions": NO_PINGS}
    status, answer = post(server, f"/channels/{channel}/messages", body)
    assert status == 400
    assert answer == {
        "code": 50035,
        "message": "Invalid Form Body",
        "errors": {"embeds": {"0": {"description": too_long(4096)}}},
    }
    assert server.messages_in(channel) == []  # nothing was posted
    assert server.new_violations() == [
        f"POST {API_PREFIX}/channels/{channel}/messages: embeds.0.description: "
        "Must be 4096 or fewer in length. [RichEmbed.description maxLength 4096]"
    ]


def test_discord_py_reads_the_refusal_as_it_reads_discords(server, monkeypatch):
    """discord.py's own HTTP client, pointed at the stand-in, sends an embed too long and gets
    the HTTPException Discord's answer gives it: code 50035 and the field's message."""
    monkeypatch.setattr(discord.http.Route, "BASE", server.api_base)
    channel = int(server.channel["general"]["id"])

    async def send() -> None:
        http = discord.http.HTTPClient(asyncio.get_running_loop())
        await http.static_login(server.TOKEN)
        try:
            embed = discord.Embed(description="d" * 5000)
            with discord.http.handle_message_parameters(embed=embed) as params:
                await http.send_message(channel, params=params)
        finally:
            await http.close()

    with pytest.raises(discord.HTTPException) as caught:
        asyncio.run(send())
    assert caught.value.status == 400 and caught.value.code == 50035
    assert "In embeds.0.description: Must be 4096 or fewer in length." in caught.value.text
    assert len(server.new_violations()) == 1


def test_the_standins_own_answers_are_held_to_the_spec_too(contract):
    """A message as the stand-in answers it has what Discord's ``MessageResponse`` has (ids,
    author, numbered components, ...); one without its id is caught."""
    server = DiscordStandIn()
    row = {"type": 1, "components": [{"type": 2, "style": 1, "label": "More", "custom_id": "m"}]}
    body = {"content": "hi", "components": [row], "allowed_mentions": NO_PINGS}
    message = server._message(server.channel["general"], server.bot_user, "hi", body=body)
    path = f"/api/v10/channels/{message['channel_id']}/messages"
    assert message["components"][0]["components"][0]["id"] == 2
    assert contract.check_response("POST", path, 200, message) == []
    del message["id"]
    assert [str(e) for e in contract.check_response("POST", path, 200, message)] == [
        "id: This field is required "
        '[MessageResponse required ["type", "content", "mentions", "mentio…]'
    ]


def test_the_standins_gateway_objects_have_what_discords_have(contract):
    """The gateway has no published schema, but what its events carry are the REST objects:
    the users, members, roles, channels, guild, messages and attachments the stand-in sends
    in READY, GUILD_CREATE, MESSAGE_CREATE and INTERACTION_CREATE have what Discord's do."""
    server = DiscordStandIn()
    guild, alice = server.guild, server.users["alice"]
    in_guild = server._interaction_base(2, "alice", "general")
    in_dm = server._interaction_base(3, "bob", None)
    mention = server._mentioned(server.bot_user, guild)
    message = server._message(
        server.channel["general"], alice, "hi", guild=guild, mentions=[mention]
    )
    attachment = {**server.add_attachment("a.txt", b"abc"), "ephemeral": True}
    objects = [
        ("UserResponse", server.bot_user),
        ("UserResponse", in_dm["user"]),
        ("GuildResponse", guild),
        ("GuildMemberResponse", in_guild["member"]),
        ("GuildMemberResponse", {**mention["member"], "user": server.bot_user}),
        ("GuildChannelResponse", server.channel["general"]),
        ("PrivateChannelResponse", in_dm["channel"]),
        ("MessageResponse", message),
        ("AttachmentResponse", attachment),
    ]
    wrong = [f"{name}: {e}" for name, obj in objects for e in contract.check_schema(name, obj)]
    assert wrong == []


TIGHT_DESCRIPTION = 50


@pytest.fixture(scope="module")
def standin():
    """For the real-bot test: a Discord whose embed descriptions hold 50 characters."""
    limit = TIGHT_DESCRIPTION
    spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    spec["components"]["schemas"]["RichEmbed"]["properties"]["description"]["maxLength"] = limit
    server = DiscordStandIn(contract=DiscordContract(spec)).start()
    yield server
    server.stop()


def test_a_reply_discord_refuses_is_refused_to_the_real_bot(standin, bot):
    """The bot's answer breaks the (tightened) schema: the stand-in answers 400 as Discord
    would, the bot's log shows discord.py's own reading of it, the user gets the bot's
    "Something went wrong" in its place, and the test would fail on the violation."""
    rec = standin.slash("ask", question="Where in Norway was the motorbike jump filmed?")
    body = responded(standin, rec)
    assert "Something went wrong" in body["data"]["content"]
    refused = [r for r in standin.requests if r.status == 400]
    assert [r.response["code"] for r in refused] == [50035]
    assert standin.new_violations() == [
        f"POST {refused[0].path}: data.embeds.0.description: Must be {TIGHT_DESCRIPTION} or "
        f"fewer in length. [RichEmbed.description maxLength {TIGHT_DESCRIPTION}]"
    ]
    logged = f"In data.embeds.0.description: Must be {TIGHT_DESCRIPTION} or fewer in length."
    standin.wait_for(lambda: logged in bot.log(), 5, "discord.py's error in the bot's log")
