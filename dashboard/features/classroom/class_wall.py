"""Class: the reviews the room sends, arriving live, with every model's vote: where do the models disagree?"""

import html
from urllib.parse import urljoin

import streamlit as st

from dashboard import loaders, share, ui
from dashboard.figures import class_colour
from dashboard.palette import ink_on
from dashboard.pages import BY_KEY, page_path
from dashboard.state import RUN, TEXT, hand_over, kept, selection
from dashboard.tables import baseline_of, run_labels
from pipelines.class_wall import ClassWall, Submission, WallError, most_disputed, verdict
from pipelines.store import RunRecord
from pipelines.tasks import Capability, task_of

REFRESH_SECONDS = 3  # how often the wall looks for new reviews
ORDERS = ("Models disagree most", "Newest first")
SHOWN = (12, 30, 100)  # reviews listed at once: the most disputed are the ones worth a lecture's minute
SUBMIT = BY_KEY["submit"]

st.title("Class")
ui.teach("Reviews from the room arrive here as students send them from their phones, each with every model's "
         "vote. The ones that split the models come first: open one in Inside the model to see why.")  # fmt: skip


def voters() -> tuple[str | None, list[RunRecord], list[str]]:
    """The data set, the finished models that vote on every review (the sidebar's filters apply) and its classes.
    Unlike the other pages' guards, a missing model does not stop the page: the wall still shows the reviews."""
    dataset = selection().dataset
    if dataset is None:
        st.info("**No models to vote yet**: the reviews show without votes. Train the quick zoo from a terminal in "
                f"the project folder:\n\n```\n{ui.train_command('rt-polarity')}\n```",
                icon=":material/school:")  # fmt: skip
        return None, [], []
    done = [record for record in loaders.runs(dataset) if record.state == "done" and selection().keeps(record)]
    # The majority-class baseline always says the same class: it would only dilute the disagreement.
    able = [record for record in done if task_of(record).can(Capability.PREDICT)
            and getattr(baseline_of(record), "method", None) != "majority"]  # fmt: skip
    if not able:
        st.info(f"**No finished model of {dataset} to vote**: the reviews show without votes. Train the quick zoo:"
                f"\n\n```\n{ui.train_command(dataset)}\n```", icon=":material/school:")  # fmt: skip
        return dataset, [], []
    return dataset, able, list(ui.require_summary(dataset).classes)


def submit_link() -> str:
    """The Submit page's address, on the host the lecturer's browser reached this page by."""
    return urljoin(share.page_address(BY_KEY["class_wall"].url_path), SUBMIT.url_path)


def invitation() -> None:
    link = submit_link()
    st.html(f'<img class="rnnlens-qr" alt="QR code of the Submit a review page" src="{share.qr_image(link)}" '
            'style="display:block;width:min(30vh,100%);margin:0 auto;image-rendering:pixelated">')
    st.caption(f"Scan to send a review: {link}")
    share.room_warning(link)


def score_new(wall: ClassWall, dataset: str, records: list[RunRecord], submissions: list[Submission]) -> bool:
    """Each model votes on the reviews it has not voted on yet (one batch per model); the wall records the votes.
    Returns whether any were recorded."""
    recorded = 0
    markers = {record.run_id: loaders.run_marker(record) for record in records}
    for record in records:
        waiting = [submission for submission in submissions if record.run_id not in submission.votes]
        if not waiting:
            continue
        try:
            probabilities = loaders.predict_texts(record, [submission.text for submission in waiting])
        except loaders.Unreadable as error:
            ui.left_out(str(error))
            continue
        votes = {submission.id: {record.run_id: tuple(row)} for submission, row in zip(waiting, probabilities)}
        recorded += wall.record_votes(dataset, markers, votes)
    return recorded > 0


def vote_html(submission: Submission, labels: dict[str, str], classes: list[str]) -> str:
    """The review (escaped) over a bar of the votes per class and one chip per model: its class and confidence."""
    review = f'<div style="font-size:1.2em;line-height:1.35;margin-bottom:6px">{html.escape(submission.text)}</div>'
    outcome = verdict(submission.votes)
    if not outcome.predicted:
        return review + '<div style="opacity:.6">waiting for the models’ votes…</div>'
    tally = {index: list(outcome.predicted.values()).count(index) for index in range(len(classes))}
    colours = [class_colour(name, index) for index, name in enumerate(classes)]
    bar = "".join(f'<div style="flex:{count};background:{colour};color:{ink_on(colour)};padding:1px 6px;'
                  f'white-space:nowrap;overflow:hidden">{count} {html.escape(name)}</div>'
                  for name, count, colour in zip(classes, tally.values(), colours) if count)  # fmt: skip
    chips = []
    for run_id, probabilities in submission.votes.items():
        index = outcome.predicted[run_id]
        chips.append(f'<span style="border:1px solid {class_colour(classes[index], index)};border-radius:10px;'
                     f'padding:0 7px;margin:2px 3px 0 0;display:inline-block;font-size:.85em">'
                     f'{html.escape(labels.get(run_id, run_id))}: {html.escape(classes[index])} '
                     f"{probabilities[index]:.0%}</span>")  # fmt: skip
    return (review + f'<div style="display:flex;border-radius:4px;overflow:hidden;font-size:.9em">{bar}</div>'
            f'<div style="margin-top:4px">{"".join(chips)}</div>')  # fmt: skip


def open_inside(submission: Submission, records: dict[str, RunRecord]) -> None:
    """Inside the model with this review, the majority's model and, when one dissents, a dissenting model beside it."""
    outcome = verdict(submission.votes)
    explainable = [run_id for run_id in outcome.predicted if task_of(records[run_id]).can(Capability.EXPLAIN)]
    agreeing = [run_id for run_id in explainable if outcome.predicted[run_id] == outcome.majority]
    dissenting = [run_id for run_id in explainable if outcome.predicted[run_id] != outcome.majority]
    models = {RUN: agreeing[0]} if agreeing else {}
    if agreeing and dissenting:
        models["vs"] = dissenting[0]
    hand_over("inside", **{TEXT: submission.text}, **models)


def card(wall: ClassWall, submission: Submission, labels: dict[str, str], classes: list[str],
         records: dict[str, RunRecord]) -> None:  # fmt: skip
    with st.container(border=True, key=f"wall_card_{submission.id}"):
        text, buttons = st.columns([5, 1], vertical_alignment="center")
        text.html(vote_html(submission, labels, classes))
        if buttons.button("Inside", icon=":material/neurology:", key=f"wall_inside_{submission.id}",
                          help="Open this review in Inside the model", width="stretch"):  # fmt: skip
            open_inside(submission, records)
            st.switch_page(page_path("inside"), query_params={})
        if submission.hidden:
            buttons.button("Show", icon=":material/visibility:", key=f"wall_show_{submission.id}", width="stretch",
                           on_click=wall.hide, args=(submission.id, False), help="Put it back on the wall")  # fmt: skip
        else:
            buttons.button("Hide", icon=":material/visibility_off:", key=f"wall_hide_{submission.id}",
                           width="stretch", on_click=wall.hide, args=(submission.id,),
                           help="Take it off the wall (it can be shown again)")  # fmt: skip


def clear_ui(wall: ClassWall, newest: int, count: int) -> None:
    with st.popover("Clear", icon=":material/delete_sweep:", disabled=not count, width="stretch",
                    help="Delete every review on the wall (it asks first)"):  # fmt: skip
        st.warning(f"Delete the {count} review{'s' * (count != 1)} on the wall, hidden ones too, for good? Reviews "
                   "that arrive after this moment stay.", icon=":material/warning:")  # fmt: skip
        if st.button(f"Delete {count} review{'s' * (count != 1)}", type="primary", key="wall_clear"):
            wall.clear(up_to=newest)
            st.toast("The wall is clear.", icon=":material/delete_sweep:")


dataset, records, classes = voters()
labels = run_labels(records) if records else {}
by_id = {record.run_id: record for record in records}
order = st.segmented_control("Order", ORDERS, default=ORDERS[0], required=True, **kept("wall_order"))


@st.fragment(run_every=REFRESH_SECONDS)
def live_wall() -> None:
    wall = ClassWall(loaders.store_root())
    markers = {record.run_id: loaders.run_marker(record) for record in records}
    try:
        everything = wall.submissions(include_hidden=True, dataset=dataset, runs=markers)
    except WallError as error:  # a damaged wall file
        st.error(ui.sentence(f"{error}."), icon=":material/error:")
        return
    try:
        if records and score_new(wall, dataset, records, everything):
            everything = wall.submissions(include_hidden=True, dataset=dataset, runs=markers)
    except WallError as error:  # a read-only store: the reviews show, without the votes it cannot keep
        st.warning(ui.sentence(f"the votes cannot be kept: {error}."), icon=":material/warning:")
    shown = [submission for submission in everything if not submission.hidden]
    hidden = [submission for submission in everything if submission.hidden]
    split = sum(verdict(submission.votes).disagreement > 0 for submission in shown)
    columns = st.columns(4)
    columns[0].metric("reviews", len(shown), help="On the wall now (hidden ones not counted).")
    columns[1].metric("models split", split, help="Reviews on which the models do not all give the same class.")
    columns[2].metric("models voting", len(records), help="The finished models of the data set (sidebar filters "
                      "apply); the majority-class baseline does not vote.")  # fmt: skip
    columns[3].metric("hidden", len(hidden))
    if not everything:
        st.info("No reviews yet. Students scan the QR code (or open the Submit a review page) and send one; it "
                f"appears here within {REFRESH_SECONDS} seconds.", icon=":material/hourglass_empty:")  # fmt: skip
        return
    listed = most_disputed(shown) if order == ORDERS[0] else sorted(shown, key=lambda s: -s.id)
    left, middle, right = st.columns([3, 3, 2], vertical_alignment="bottom")
    limit = left.selectbox("Show", SHOWN, format_func=lambda n: f"the first {n} reviews", key="wall_limit")
    show_hidden = middle.toggle(f"Show the {len(hidden)} hidden", key="wall_show_hidden", disabled=not hidden)
    with right:
        clear_ui(wall, max(submission.id for submission in everything), len(everything))
    for submission in listed[:limit]:
        card(wall, submission, labels, classes, by_id)
    if len(listed) > limit:
        st.caption(f"and {len(listed) - limit} more")
    if show_hidden:
        st.markdown("**Hidden**")
        for submission in hidden:
            card(wall, submission, labels, classes, by_id)


wall_column, invitation_column = st.columns([3, 1])
with invitation_column:
    invitation()
with wall_column:
    live_wall()
