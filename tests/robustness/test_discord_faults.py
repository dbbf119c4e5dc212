"""Faults between the bot and Discord: the gateway dropping in the middle of an answer (close
codes 4000 and 4009, a dead link seen as 1006, an outage), events delivered twice, REST calls
failing with 5xx or 429, before or after Discord did the work. Whatever happens, a question is
answered exactly once, or the user is told to ask again; never twice; and the bot keeps serving.

"Exactly once" is read from the stand-in's own records: the messages that exist (a retried send
that Discord deduplicated by nonce does not count twice) and the interaction responses it took.
"""

from __future__ import annotations

import time

import pytest

from bot.discord_app.cogs.ask import ASK_AGAIN
from tests.e2e.conftest import responded, wait_a_little
from tests.e2e.standin import EPHEMERAL, DiscordStandIn, InteractionRecord

BOT_SETTINGS = {"cooldown_rate": 0}  # many questions from few users
BOT_ENV = {"BRIEFING_E2E_SLOW": "slowpoke=3.5"}  # searches for "slowpoke …" take 3.5 s more
QUESTION = "Where in Norway was the motorbike jump filmed?"
ANSWER_WORD = "Helsetkopen"
MESSAGES = r"^/api/v10/channels/\d+/messages$"
CALLBACK = r"^/api/v10/interactions/\d+/[^/]+/callback$"


def connected(standin: DiscordStandIn, timeout: float = 15) -> None:
    """Wait until the bot has a live gateway session again."""
    standin.wait_for(
        lambda: any(s.identified and s.live for s in standin.sessions), timeout, "a live session"
    )


def mention(standin: DiscordStandIn, text: str = QUESTION, **kwargs) -> dict:
    return standin.send_message(f"<@{standin.bot_user['id']}> {text}", mentions_bot=True, **kwargs)


def replying_to(record, message: dict) -> bool:
    reference = (record.body or {}).get("message_reference") or {}
    return str(reference.get("message_id")) == message["id"]


def creates_for(standin: DiscordStandIn, message: dict) -> list:
    """The bot's requests that made a message replying to ``message`` (a retry that Discord
    answered with the message its nonce had made does not count)."""
    return [r for r in standin.requests if r.created and replying_to(r, message)]


def deduplicated_for(standin: DiscordStandIn, message: dict) -> list:
    return [r for r in standin.requests if r.deduplicated and replying_to(r, message)]


def answered_once(
    standin: DiscordStandIn, message: dict, timeout: float = 15, settle: float = 0.3
) -> dict:
    """The one reply to ``message``; fails if there is none or, ``settle`` seconds after the
    first, more than one."""
    standin.wait_for(lambda: standin.replies_to(message), timeout, f"a reply to {message['id']}")
    wait_a_little(standin, settle)
    replies = standin.replies_to(message)
    assert len(replies) == 1, replies
    assert len(creates_for(standin, message)) == 1
    return replies[0]


def is_answer(reply: dict) -> bool:
    return bool(reply.get("embeds")) and ANSWER_WORD in reply["embeds"][0]["description"]


def slash_answered_once(
    standin: DiscordStandIn, rec: InteractionRecord, timeout: float = 5, settle: float = 0.3
):
    """The one response to ``rec`` holds the answer (a deferred one, once edited in: a busy
    machine can make the bot defer)."""
    body = responded(standin, rec, timeout)
    if body["type"] == 5:
        standin.wait_for(lambda: rec.edits, timeout, f"the deferred answer to {rec.id}")
    wait_a_little(standin, settle)
    assert len(rec.callbacks) == 1 and rec.followups == [], (rec.callbacks, rec.followups)
    assert len(rec.edits) <= 1, rec.edits
    assert ANSWER_WORD in rec.original["embeds"][0]["description"]
    return body


def still_serving(standin: DiscordStandIn) -> None:
    connected(standin)
    assert is_answer(answered_once(standin, mention(standin)))


# --- the gateway ------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "resumes"), [(4000, True), (None, True), (4009, False)])
def test_gateway_drops_right_after_a_message(standin, bot, code, resumes):
    connected(standin)
    session_id = standin.sessions[0].session_id
    identifies = len(standin.identify_payloads)
    standin.drop_after_dispatch("MESSAGE_CREATE", code)
    assert is_answer(answered_once(standin, mention(standin)))
    connected(standin)
    if resumes:  # 4000 and a dead link (1006): the bot RESUMEs the same session
        assert standin.sessions[0].session_id == session_id
        assert standin.resume_payloads[-1]["session_id"] == session_id
        assert len(standin.identify_payloads) == identifies
    else:  # 4009: the session is gone, the bot identifies afresh
        assert standin.sessions[0].session_id != session_id
        assert len(standin.identify_payloads) == identifies + 1
    still_serving(standin)


@pytest.mark.parametrize("code", [4000, None])
def test_gateway_drops_right_after_a_slash_command(standin, bot, code):
    connected(standin)
    standin.drop_after_dispatch("INTERACTION_CREATE", code)
    slash_answered_once(standin, standin.slash("ask", question=QUESTION))
    still_serving(standin)


@pytest.mark.parametrize("code", [4000, None])
def test_an_event_lost_with_the_link_is_replayed_on_resume(standin, bot, code):
    connected(standin)
    standin.drop_after_dispatch("MESSAGE_CREATE", code, before=True)
    message = mention(standin)  # never reaches the bot on this connection
    assert is_answer(answered_once(standin, message))
    connected(standin)
    standin.drop_after_dispatch("INTERACTION_CREATE", code, before=True)
    slash_answered_once(standin, standin.slash("ask", question=QUESTION))


def test_events_during_an_outage_are_answered_after_it(standin, bot):
    connected(standin)
    standin.refuse_gateway(1.5)
    standin.drop_gateway(None)
    messages = [mention(standin), standin.send_message(QUESTION, channel=None)]  # a DM too
    started = time.monotonic()
    for message in messages:
        assert is_answer(answered_once(standin, message, timeout=20))
    assert time.monotonic() - started >= 1.0  # answered after the outage, from the replay
    still_serving(standin)


def test_an_event_lost_with_an_unresumable_session_gets_no_answer_and_no_double(standin, bot):
    """After 4009 Discord does not replay: the bot never sees the question (for a slash command
    Discord tells the user the application did not respond, i.e. to ask again)."""
    connected(standin)
    standin.drop_after_dispatch("INTERACTION_CREATE", 4009, before=True)
    rec = standin.slash("ask", question=QUESTION)
    connected(standin)
    wait_a_little(standin, 1.0)
    assert rec.callbacks == [] and rec.followups == []
    still_serving(standin)


def test_a_message_delivered_twice_is_answered_once(standin, bot):
    connected(standin)
    standin.duplicate_next_dispatch("MESSAGE_CREATE")
    message = mention(standin)
    assert is_answer(answered_once(standin, message))
    assert deduplicated_for(standin, message) == []  # the bot did not even try a second time


def test_a_slash_command_delivered_twice_is_answered_once(standin, bot):
    connected(standin)
    standin.duplicate_next_dispatch("INTERACTION_CREATE")
    slash_answered_once(standin, standin.slash("ask", question=QUESTION))


def test_many_drops_during_a_burst_lose_nothing(standin, bot):
    """Thirty questions in every form while the gateway drops every sixth one (all kinds of
    close): each is answered exactly once, except those Discord itself dropped because they
    came while no session existed (after the 4009 and before the new IDENTIFY), which get no
    answer, and a slash command held for a RESUME until too late to answer, which cannot get
    one."""
    connected(standin)
    lost_before = len(standin.lost_events)
    identifies = len(standin.identify_payloads)
    messages, interactions = [], []
    codes = [4000, None, 4009, 1001, 4000]
    for i in range(30):
        if i % 6 == 5:  # each drop hits a live session; the questions after it race the reconnect
            connected(standin)
            standin.drop_gateway(codes[(i // 6) % len(codes)])
        if i % 3 == 0:
            interactions.append(standin.slash("ask", question=QUESTION, user="bob"))
        elif i % 3 == 1:
            messages.append(mention(standin, author="carol"))
        else:
            messages.append(standin.send_message(QUESTION, channel=None, author="dave"))
    lost = {ident for _, ident in standin.lost_events[lost_before:]}
    for message in messages:
        if message["id"] not in lost:
            standin.wait_for(lambda m=message: standin.replies_to(m), 15, "every answer")
    wait_a_little(standin, 0.5)  # for any second answer to show up
    for message in messages:
        if message["id"] in lost:
            assert standin.replies_to(message) == []
        else:
            assert is_answer(answered_once(standin, message, settle=0))
    carried = [rec for rec in interactions if str(rec.id) not in lost]
    standin.wait_for(lambda: all(rec.delivered for rec in carried), 15, "every interaction sent")
    past_deadlines = max(rec.created for rec in interactions) + 3.2 - time.monotonic()
    wait_a_little(standin, max(0.0, past_deadlines))
    for rec in interactions:
        if str(rec.id) in lost:
            assert rec.callbacks == []
        elif rec.delivered_late and not rec.callbacks:
            # held for a RESUME behind a slow reconnect: "Unknown interaction", as from Discord
            assert {e["code"] for e in rec.errors} <= {10062}
        else:
            slash_answered_once(standin, rec, timeout=10, settle=0)
    # Only the 4009 ended the session (the other drops were resumed), so only the events sent
    # between it and the new IDENTIFY were lost: how many depends on the machine's speed.
    assert len(standin.identify_payloads) == identifies + 1
    still_serving(standin)


# --- a slow engine ---------------------------------------------------------------------------


def test_a_slow_answer_is_deferred_in_time_then_delivered_once(standin, bot):
    """A search that outlasts Discord's 3 seconds: the bot acknowledges in time ("thinking…")
    and edits the answer in when it is ready; the user never sees "did not respond"."""
    connected(standin)
    rec = standin.slash("ask", question=f"slowpoke {QUESTION}", private=True)
    body = responded(standin, rec, timeout=3)
    assert body["type"] == 5 and body["data"]["flags"] & EPHEMERAL
    standin.wait_for(lambda: rec.edits, 10, "the answer")
    wait_a_little(standin, 0.3)
    assert len(rec.callbacks) == 1 and len(rec.edits) == 1 and rec.followups == []
    assert ANSWER_WORD in rec.original["embeds"][0]["description"]
    buttons = {b["label"] for row in rec.original["components"] for b in row["components"]}
    assert "Show in context" in buttons
    message = mention(standin, f"slowpoke {QUESTION}")  # a message has no deadline: just later
    assert is_answer(answered_once(standin, message, timeout=10))


# --- REST -------------------------------------------------------------------------------------


@pytest.mark.parametrize("statuses", [[502], [503, 503], [500, 503], [429, 429]])
def test_a_reply_that_fails_and_then_goes_through_is_posted_once(standin, bot, statuses):
    """502/500 are retried by discord.py (after 1 s), 503 by the bot (discord.py gives up on
    it at once), 429 after its retry_after; the answer arrives once."""
    connected(standin)
    fault = standin.fail_requests(MESSAGES, statuses, method="POST", retry_after=0.3)
    message = mention(standin)
    assert is_answer(answered_once(standin, message))
    assert [r.status for r in fault.hits] == statuses


@pytest.mark.parametrize("status", [502, 503])
def test_a_reply_that_got_through_but_failed_is_not_posted_twice(standin, bot, status):
    """The worst case for "never twice": Discord made the message, then answered 5xx, so the
    retry must not make another. The reply's nonce (enforce_nonce) makes Discord hand back the
    first one."""
    connected(standin)
    fault = standin.fail_requests(MESSAGES, [status], method="POST", applied=True)
    message = mention(standin)
    retry = standin.wait_for(lambda: deduplicated_for(standin, message), 5, "the retry")
    assert retry[0].body["nonce"] == f"a{message['id']}" and retry[0].status == 200
    assert is_answer(answered_once(standin, message))
    assert [r.created for r in fault.hits] == [answered_once(standin, message)["id"]]


def test_when_discord_keeps_failing_the_user_is_told_to_ask_again(standin, bot):
    connected(standin)
    standin.fail_requests(MESSAGES, [503, 503, 503], method="POST")
    message = mention(standin)
    reply = answered_once(standin, message)
    assert reply["content"] == ASK_AGAIN and not reply["embeds"]


@pytest.mark.parametrize(("statuses", "applied"), [([502], False), ([429], False), ([503], True)])
def test_a_slash_answer_that_fails_once_is_answered_once(standin, bot, statuses, applied):
    """discord.py retries an interaction response after 1 s (5xx) or ``retry_after`` (429),
    within Discord's 3 seconds; when the first try had got through, the retry is refused as
    already acknowledged and the bot leaves it at that."""
    connected(standin)
    fault = standin.fail_requests(CALLBACK, statuses, applied=applied, retry_after=0.3)
    rec = standin.slash("ask", question=QUESTION)
    slash_answered_once(standin, rec)
    if applied:  # the retry was refused: already acknowledged
        assert standin.wait_for(lambda: rec.errors, 5, "the retry")[0]["code"] == 40060
        wait_a_little(standin, 0.3)  # time for a wrong second answer to show up
    assert len(fault.hits) == 1
    assert len(rec.callbacks) == 1 and rec.followups == []


def test_a_slash_answer_that_misses_the_deadline_is_not_answered_later(standin, bot):
    """Two 5xx push discord.py's retry past Discord's 3 seconds: Discord tells the user the
    application did not respond (so they ask again), and the bot does not answer later."""
    connected(standin)
    standin.fail_requests(CALLBACK, [503, 503])
    rec = standin.slash("ask", question=QUESTION)
    standin.wait_for(lambda: rec.errors or rec.callbacks, 10, "the late response")
    wait_a_little(standin, 0.3)
    assert rec.callbacks == [] and rec.followups == []
    with standin._cond:  # the late response was expected here
        standin.violations[:] = [v for v in standin.violations if str(rec.id) not in v]
    still_serving(standin)


def test_a_new_session_starts_as_soon_as_discord_allows(standin, bot):
    """After a 4009 the bot must IDENTIFY afresh. Discord allows one IDENTIFY per 5 seconds: the
    bot waits for what is left of that window, not 5 s every time as discord.py would."""
    connected(standin)
    idle = time.monotonic() - standin.identify_times[-1]
    if idle < 5.2:
        time.sleep(5.2 - idle)
    dropped = time.monotonic()
    standin.drop_gateway(4009)
    connected(standin)
    assert standin.identify_times[-1] - dropped < 2.0
    times = standin.identify_times
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 4.9  # within the limit
    still_serving(standin)


def test_nothing_pinged_nothing_refused_nothing_crashed(standin, bot):
    assert standin.violations == []
    assert standin.pings == []
    refused = [r for r in standin.requests if 400 <= r.status < 500 and r.status != 429]
    assert all("/callback" in r.path for r in refused), refused  # only the expected 40060/10062
    log = bot.log()
    assert "/ask failed" not in log and "answering message" not in log
    assert bot.proc.poll() is None
