"""The Share button: the link to the view on screen, and a QR code of it that a room can scan.

The link is the page's address as the browser reached it (st.context.url, so a room gets the host the lecturer's
browser used) with the view the page keeps there (state.view_link). The QR code is drawn by segno as an SVG image: sharp
at any size, on a projector or a phone.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import segno
import streamlit as st

from dashboard.state import view_link

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0")


def page_address(url_path: str) -> str:
    """The current page's address without its query: the browser's, else one built from the Host header."""
    url = st.context.url
    if url:
        return url
    host = st.context.headers.get("host") if st.context.headers else None
    return f"http://{host}/{url_path}" if host else f"/{url_path}"


def qr_image(link: str) -> str:
    """The QR code of `link` as an SVG data URI (medium error correction: a projector's glare still scans)."""
    return segno.make(link, error="m", micro=False).svg_data_uri(scale=10, dark="#111111", light="#ffffff")


def share_button(page_key: str, url_path: str, label: str = "Share this view", key: str = "share") -> None:
    """The sidebar's button; in presentation mode, where the sidebar is folded away, a second one on the page."""
    if st.button(label, icon=":material/qr_code_2:", key=key, width="stretch",
                 help="A link and a QR code that open this page as it is now: data set, models, text, tab."):
        share_dialog(view_link(page_address(url_path), page_key))


@st.dialog("Share this view", width="large")
def share_dialog(link: str) -> None:
    st.code(link, language=None, wrap_lines=True)
    # segno's SVG as a data URI (quoted by segno: no user text reaches the markup unescaped); as wide as fits.
    st.html(f'<img class="rnnlens-qr" alt="QR code of the link above" src="{qr_image(link)}" '
            'style="display:block;width:min(62vh,100%);margin:0 auto;image-rendering:pixelated">')
    if not room_warning(link):
        st.caption("Scan it, or copy the link: it opens this page with the same data set, models, text and tab.")


def room_warning(link: str) -> bool:
    """Warn (and say so) when `link` names this computer: phones in the room cannot open it."""
    host = urlsplit(link).hostname or ""
    if host not in LOCAL_HOSTS:
        return False
    st.warning(f"This link names {host}: it opens only on this computer. For the room, open the app at the "
               "computer's network address (Streamlit prints it as “Network URL”) and share from there.",
               icon=":material/lan:")  # fmt: skip
    return True

