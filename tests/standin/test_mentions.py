"""Who a message pings: the parser (property-tested) and Discord's allowed_mentions rules."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from standin.mentions import allowed_mentions_errors, compute_pings, parse_mentions

ALICE, BOB, CAROL, BOT = 101, 102, 103, 900
MODS, FANS = 201, 202  # Moderators is not mentionable; Fans is
KNOWN = {ALICE, BOB, CAROL, BOT}
ROLES = {MODS: False, FANS: True}

ids = st.integers(min_value=1, max_value=2**63 - 1)
filler = st.text(alphabet=st.characters(blacklist_characters="<>@&!"), max_size=12)
mention = st.one_of(
    ids.map(lambda i: ("user", i, f"<@{i}>")),
    ids.map(lambda i: ("user", i, f"<@!{i}>")),
    ids.map(lambda i: ("role", i, f"<@&{i}>")),
    st.sampled_from([("everyone", 0, "@everyone"), ("everyone", 0, "@here")]),
)


@given(st.lists(st.tuples(filler, mention)), filler)
def test_parser_finds_exactly_the_mentions_written(parts: list[tuple[str, Any]], tail: str) -> None:
    content = "".join(text + written for text, (_, _, written) in parts) + tail
    parsed = parse_mentions(content)
    expected_users = list(dict.fromkeys(i for _, (kind, i, _) in parts if kind == "user"))
    expected_roles = list(dict.fromkeys(i for _, (kind, i, _) in parts if kind == "role"))
    assert list(parsed.users) == expected_users
    assert list(parsed.roles) == expected_roles
    assert parsed.everyone == any(kind == "everyone" for _, (kind, _, _) in parts)


allowed = st.fixed_dictionaries(
    {"parse": st.lists(st.sampled_from(["users", "roles", "everyone"]), unique=True)},
    optional={
        "users": st.lists(st.sampled_from(sorted(KNOWN)), unique=True),
        "roles": st.lists(st.sampled_from(sorted(ROLES)), unique=True),
        "replied_user": st.booleans(),
    },
)
written = st.lists(st.sampled_from([*(f"<@{u}>" for u in KNOWN), *(f"<@&{r}>" for r in ROLES), "@everyone", "hi"]))


@given(written, allowed, st.booleans(), st.sampled_from([None, ALICE]))
def test_nobody_is_pinged_beyond_what_allowed_mentions_allows(
    words: list[str], allowed: dict[str, Any], privileged: bool, replied: int | None
) -> None:
    content = " ".join(words)
    pings = compute_pings(
        content, allowed, known_users=KNOWN, roles=ROLES, can_mention_everyone=privileged, replied_user_id=replied
    )
    parsed = parse_mentions(content)
    may_users = set(parsed.users) if "users" in allowed["parse"] else set(allowed.get("users", [])) & set(parsed.users)
    if allowed.get("replied_user") and replied is not None:
        may_users.add(replied)
    assert pings.users <= may_users
    may_roles = set(parsed.roles) if "roles" in allowed["parse"] else set(allowed.get("roles", []))
    assert pings.roles <= may_roles
    assert all(ROLES[r] or privileged for r in pings.roles)
    assert not pings.everyone or ("everyone" in allowed["parse"] and privileged)
    if allowed == {"parse": []}:
        assert pings.nobody


def test_without_allowed_mentions_every_mention_counts_within_permissions() -> None:
    content = f"<@{BOB}> <@&{MODS}> <@&{FANS}> @everyone <@999>"
    plain = compute_pings(
        content, None, known_users=KNOWN, roles=ROLES, can_mention_everyone=False, replied_user_id=ALICE
    )
    assert plain.users == {BOB, ALICE}  # the unknown user 999 is nobody; a reply pings its author by default
    assert plain.roles == {FANS}
    assert not plain.everyone
    moderator = compute_pings(content, None, known_users=KNOWN, roles=ROLES, can_mention_everyone=True)
    assert moderator.roles == {MODS, FANS}
    assert moderator.everyone


def test_explicit_lists_and_replies() -> None:
    content = f"<@{BOB}> <@{CAROL}> <@&{FANS}>"
    pings = compute_pings(
        content,
        {"parse": [], "users": [str(CAROL)], "replied_user": False},
        known_users=KNOWN,
        roles=ROLES,
        can_mention_everyone=False,
        replied_user_id=ALICE,
    )
    assert pings.users == {CAROL}
    assert pings.roles == frozenset()
    assert not pings.everyone


def test_contradictory_allowed_mentions_are_rejected() -> None:
    assert set(allowed_mentions_errors({"parse": ["users", "roles"], "users": ["1"], "roles": ["2"]})) == {
        "users",
        "roles",
    }
    assert "parse" in allowed_mentions_errors({"parse": ["nobody"]})
    assert allowed_mentions_errors({"parse": ["everyone"], "users": ["1"]}) == {}
