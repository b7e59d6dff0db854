"""Signing in on the page: who is looking, checked on every run of every page.

The browser keeps its session token in a cookie set by a tiny script
(Streamlit has no server-side cookie API): SameSite=Strict, Secure on
https, Max-Age of the session. Each run reads the token from this Streamlit
session or the cookie and asks the database whether its session is still
alive, so a sign-out (here or in another tab), an expiry or a removed
account ends access on the next run, polling included.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import streamlit as st
import streamlit.components.v1 as components

from fittrack.accounts.sessions import end_session, session_user, start_session
from fittrack.accounts.users import SignInRefused, any_user, sign_in
from fittrack.errors import DatabaseError
from fittrack.settings import Settings

log = logging.getLogger("webapp.accounts")
COOKIE = "fittrack_session"
TOKEN_STATE = "session-token"


@dataclass(frozen=True)
class Owner:
    """Whose page this is: an account, or the single user of a laptop (id None: uploads without an owner)."""

    id: str | None
    name: str

    @property
    def single_user(self) -> bool:
        return self.id is None


SINGLE_USER = Owner(None, "you")


def sign_in_required(settings: Settings) -> bool:
    """Set by FITTRACK_SINGLE_USER when given; else required unless embedded with no account yet."""
    if settings.single_user is not None:
        return not settings.single_user
    return not settings.is_embedded or any_user(settings.resolved_database_url())


def current_owner(settings: Settings) -> Owner | None:
    """The signed-in person (or the single user); None when someone must sign in first."""
    if not sign_in_required(settings):
        return SINGLE_USER
    token = st.session_state.get(TOKEN_STATE) or st.context.cookies.get(COOKIE)
    token = token if isinstance(token, str) else None
    user = session_user(settings.resolved_database_url(), token) if token else None
    if user is None:
        st.session_state.pop(TOKEN_STATE, None)
        return None
    st.session_state[TOKEN_STATE] = token
    return Owner(user.id, user.name)


OWNER_STATE = "page-owner"


def page_owner() -> Owner:
    """The owner `app.main` found for this run (every page runs inside it)."""
    owner = st.session_state.get(OWNER_STATE)
    if not isinstance(owner, Owner):  # a bug of ours, never a person's doing: no page without a checked owner
        raise TypeError("a page ran without app.main checking who is signed in")
    return owner


def still_signed_in(settings: Settings) -> bool:
    """Checked again by each poll: a sign-out elsewhere, an expiry or a removed account stops it."""
    try:
        return current_owner(settings) is not None
    except DatabaseError as error:
        log.error("%s", error)
        return False


def sign_in_form(settings: Settings) -> None:
    st.title("fittrack")
    if st.session_state.pop("signed-out", False):
        st.success("Signed out.")
    st.caption("Your videos and workouts are yours alone: sign in to see them.")
    with st.form("sign-in"):
        name = st.text_input("Username", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        st.caption("No account yet? The operator adds one with `fittrack user add NAME`.")
        return
    url = settings.resolved_database_url()
    try:
        client = st.context.ip_address
        account = sign_in(url, name, password, client if isinstance(client, str) and client else "unknown")
        token = start_session(url, account.id, settings.session_hours)
    except SignInRefused as refused:
        st.error(str(refused))
        return
    except DatabaseError as error:
        log.error("%s", error)
        st.error("Signing in is unavailable right now: the database did not answer. Try again in a moment.")
        return
    st.session_state[TOKEN_STATE] = token
    st.session_state["set-cookie"] = (token, settings.session_hours)
    st.rerun()


def keep_cookie() -> None:
    """Writes (after a sign-in) or clears (after a sign-out) the browser's cookie, once."""
    pending = st.session_state.pop("set-cookie", None)
    if pending is None:
        return
    token, hours = pending
    value, age = (token, int(hours * 3600)) if token else ("", 0)
    script = (f"const secure = window.parent.location.protocol === 'https:' ? '; Secure' : '';"
              f"window.parent.document.cookie = {json.dumps(COOKIE)} + '=' + {json.dumps(value)}"
              f" + '; Max-Age={age}; Path=/; SameSite=Strict' + secure;")
    components.html(f"<script>{script}</script>", height=0)


def sign_out(settings: Settings) -> None:
    token = st.session_state.pop(TOKEN_STATE, None) or st.context.cookies.get(COOKIE)
    end_session(settings.resolved_database_url(), token if isinstance(token, str) else None)
    st.session_state.clear()
    st.session_state["set-cookie"] = ("", 0)
    st.session_state["signed-out"] = True


def account_sidebar(settings: Settings, owner: Owner) -> None:
    with st.sidebar:
        if owner.single_user:
            st.caption("Single-user mode: no sign-in. Anyone who can open this page sees every upload and "
                       "workout here; add an account (`fittrack user add NAME`) to require sign-in.")
            return
        st.caption(f"Signed in as **{owner.name}**")
        if st.button("Sign out", key="sign-out"):
            sign_out(settings)
            st.rerun()
