"""Deleting a person's upload from a page: behind a confirmation, everything of it at once (Backend.delete)."""

from __future__ import annotations

import streamlit as st

from webapp.backend import Backend, ServiceUnavailable


def deleted_after_confirmation(api: Backend, upload_id: str, title: str, what_goes: str, key: str) -> bool:
    """An expander with a checkbox and a Delete button; True once the upload and all made from it are gone."""
    with st.expander(title):
        st.caption(what_goes)
        sure = st.checkbox("Yes, delete it for good", key=f"{key}-sure-{upload_id}")
        if not st.button("Delete", key=f"{key}-{upload_id}", disabled=not sure):
            return False
        try:
            api.delete(upload_id)
        except ServiceUnavailable as error:
            st.error(str(error))
            return False
        return True
