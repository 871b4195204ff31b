"""Classroom links: what `?hide=` accepts, the CSS it becomes, and the link a teacher shares."""

from urllib.parse import parse_qs, urlsplit

from core import classroom


def test_keys_are_split_deduplicated_and_kept_in_order():
    keys, refused = classroom.parse_hidden(["lab_noise-lab_l2", "lab_noise", " lab_seed "])
    assert keys == ["lab_noise", "lab_l2", "lab_seed"] and refused == []


def test_anything_that_is_not_a_key_is_refused_not_escaped():
    bad = ['x"}</style><script>', "Lab_Noise", "1abc", "키", "a" * 80, "lab noise", "lab.noise"]
    keys, refused = classroom.parse_hidden(bad)
    assert keys == [] and len(refused) == len(bad)
    assert classroom.css_for(keys) == ""


def test_nothing_to_hide():
    assert classroom.parse_hidden(None) == ([], [])
    assert classroom.parse_hidden(["", "--"]) == ([], [])


def test_too_many_keys_are_cut_at_the_cap():
    keys, refused = classroom.parse_hidden(["-".join(f"k{i}" for i in range(100))])
    assert len(keys) == classroom.MAX_HIDDEN and len(refused) == 100 - classroom.MAX_HIDDEN


def test_css_hides_exactly_the_keyed_elements():
    css = classroom.css_for(["lab_noise", "lab_l2"])
    assert css.startswith("<style>") and ".st-key-lab_noise, .st-key-lab_l2 {" in css
    assert "display: none" in css


def test_page_controls_keep_only_this_pages_widgets():
    state = ["lab_noise", "lab_runs", "act_names", "lab_seed", 3, "lab_X"]
    widgets = {"lab_noise", "lab_seed", "act_names", "lab_X"}
    assert classroom.page_controls(state, "lab_", widgets.__contains__) == ["lab_noise", "lab_seed"]
    assert classroom.page_controls(state, "", widgets.__contains__) == []


def test_link_keeps_the_experiment_and_replaces_hide():
    url = classroom.link("http://host:8501/lab", {"data": "xor", "lang": "ko", "hide": "old"},
                         ["lab_noise", "lab_l2"])
    parts = urlsplit(url)
    assert parts.path == "/lab"
    query = parse_qs(parts.query)
    assert query == {"data": ["xor"], "lang": ["ko"], "hide": ["lab_noise-lab_l2"]}
    assert classroom.link("http://h/lab", {"hide": "x"}, []) == "http://h/lab"
    hidden, _ = classroom.parse_hidden(query["hide"])
    assert hidden == ["lab_noise", "lab_l2"]  # the link round-trips


def test_a_link_made_before_the_lab_keys_took_their_field_names_hides_the_same_controls():
    keys, refused = classroom.parse_hidden(["lab_lr-lab_bn-lab_noise-lab_learning_rate"])
    assert keys == ["lab_learning_rate", "lab_batchnorm", "lab_noise"] and refused == []


def test_widget_keys_are_read_from_the_code_that_draws_them():
    source = '''
import streamlit as st
a = st.slider("A", 0, 1, key="p_a")
left.selectbox("B", [1], key="p_b")
st.plotly_chart(fig, key="p_fig")
st.session_state["p_state"] = 1
st.text_input("C", key=name)
'''
    assert classroom.widget_keys(source) == {"p_a", "p_b"}


def test_every_lab_control_is_offered_and_no_stored_value_is():
    from ui.classroom import _widget_keys
    from ui.lab_controls import WIDGET_KEYS

    keys = _widget_keys("lab_") | _widget_keys("act_") | _widget_keys("tok_")
    assert set(WIDGET_KEYS) <= keys and {"lab_train", "act_names", "tok_vocab"} <= keys
    assert not {"lab_runs", "lab_trainer", "lab_url_loaded", "act_curves_fig"} & keys


def test_a_pages_keys_are_those_a_full_scan_finds_with_its_prefix():
    """Parsing only the files that mention the prefix loses no key of any page."""
    from pathlib import Path

    from ui.classroom import _widget_keys
    from ui.lab_controls import WIDGET_KEYS
    from ui.navigation import PAGES

    root = Path(__file__).resolve().parents[2]
    every = set(WIDGET_KEYS)
    for path in [*root.glob("pages/*.py"), *root.glob("ui/*.py")]:
        every |= classroom.widget_keys(path.read_text(encoding="utf-8"))
    prefixes = [page.prefix for page in PAGES if page.prefix]
    assert len(prefixes) >= 10
    for prefix in prefixes:
        assert _widget_keys(prefix) == {key for key in every if key.startswith(prefix)}, prefix
