"""Submit a review: a student's phone sends one review to the class wall (the lecturer's Class page)."""

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from dashboard import loaders, ui
from dashboard.pages import page_path
from dashboard.state import TEXT, hand_over
from pipelines.class_wall import MAX_CHARACTERS, SECONDS_BETWEEN, ClassWall, WallError

DRAFT = "wall_draft"  # the text box (not kept in the address: a draft is nobody's link)
OPT_IN = "wall_opt_in"
SENT = "wall_sent"  # [(id, text)] of this session's reviews that arrived
REFUSED = "wall_refused"  # why the last one did not, for the student

st.title("Submit a review")
ui.teach("Write a sentence about a film, as a review would. It appears on the lecturer's screen, where every "
         "model votes on it: find a review that splits them.")  # fmt: skip


def browser_session() -> str:
    """This browser tab's Streamlit session: the wall allows one review every few seconds per session."""
    context = get_script_run_ctx()
    return context.session_id if context is not None else "no-session"


def send() -> None:
    """The form's callback: it runs before the page draws again, so the box can be emptied for the next review."""
    st.session_state[REFUSED] = None
    if not st.session_state.get(OPT_IN):
        st.session_state[REFUSED] = "Tick “Show my review on the class wall” first: nothing is sent without it."
        return
    try:
        submission = ClassWall(loaders.store_root()).submit(browser_session(), st.session_state.get(DRAFT) or "")
    except WallError as error:  # empty, too long, too soon, a full wall, a store that cannot be written
        st.session_state[REFUSED] = ui.sentence(f"{error}.")
        return
    st.session_state.setdefault(SENT, []).append((submission.id, submission.text))
    st.session_state[DRAFT] = ""


def look_closer(text: str) -> None:
    hand_over("playground", **{TEXT: text})


st.checkbox("Show my review on the class wall", key=OPT_IN,
            help="Only the text is kept: no name, no account. The lecturer can hide a review or clear the "
            "wall.")  # fmt: skip
with st.form("wall_form", border=False, enter_to_submit=True):
    st.text_input("Your review", key=DRAFT, max_chars=MAX_CHARACTERS, placeholder="e.g. It was not bad at all.",
                  help=f"At most {MAX_CHARACTERS} characters; press Enter to send.")  # fmt: skip
    st.form_submit_button("Send to the wall", icon=":material/send:", type="primary", width="stretch", on_click=send)
st.caption(f"Anonymous: no name is asked for or kept. At most {MAX_CHARACTERS} characters, one review every "
           f"{SECONDS_BETWEEN:g} seconds.")  # fmt: skip

refused = st.session_state.get(REFUSED)
sent = st.session_state.get(SENT) or []
if refused:
    st.warning(refused, icon=":material/block:")
elif sent:
    number, text = sent[-1]
    with st.container(key="wall_arrived"):
        st.success(f"Arrived: review #{number} is on the wall.", icon=":material/check_circle:")
        st.text(f"“{text}”")  # plain text: never markdown or HTML
if sent:
    st.caption(f"You have sent {len(sent)} review{'s' * (len(sent) != 1)} in this session.")
    if st.button("See what the models say about it", icon=":material/edit_note:", on_click=look_closer,
                 args=(sent[-1][1],)):  # fmt: skip
        st.switch_page(page_path("playground"), query_params={})
