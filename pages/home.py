"""Home: the lecture's topics in order, each mapped to the page that lets a learner operate it."""

import streamlit as st

from ui import frame, navigation
from ui.frame import tr

frame.header("home")

frame.section(tr("home.path_title"))
for number, page in enumerate(navigation.lesson_path(), start=1):
    with st.container(border=True):
        left, right = st.columns([3, 2])
        with left:
            navigation.page_link(page, f"{number}. {tr(page.key + '.title')}")
            st.caption(tr(f"home.topics.{page.topic}.lecture"))
        with right:
            st.markdown(f"**{tr('home.challenge')}** {tr(f'home.topics.{page.topic}.challenge')}")

coming = [p for p in navigation.PAGES if p.topic and p not in navigation.available()]
if coming:
    st.caption(tr("home.coming", pages=", ".join(tr(p.key + ".title") for p in coming)))

frame.notice("home")
