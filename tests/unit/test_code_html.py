"""core.code_html: highlighted on the server, the code a learner reads is exactly the source."""

import inspect

import pytest

from core import code_html, config, i18n
from core.charts import static


@pytest.mark.parametrize("obj", [config.ExperimentConfig, i18n.t, static.figure_svg, code_html.python_html])
def test_the_text_shown_is_the_source_exactly(obj):
    source = inspect.getsource(obj)
    markup = code_html.python_html(source)
    assert code_html.text_of(markup) == source.rstrip("\n") + "\n"
    assert "\n" not in markup  # one line: a blank line would end the HTML block in markdown
    assert markup.startswith('<div data-code="python"') and markup.endswith("</div>")


def test_markdown_and_html_characters_stay_literal():
    source = 'x = a < b & c  # __init__ **not bold** *no* `tick` $5 $6\nprint("<b>")\n'
    markup = code_html.python_html(source)
    assert "<b>" not in markup.replace('<span', '').split("print")[1]  # the string's <b> is escaped
    assert code_html.text_of(markup) == source


def test_keywords_strings_and_comments_are_coloured():
    markup = code_html.python_html('def f():\n    return "s"  # c\n')
    for colour in ("#8250DF", "#1A7F37", "#5F5E5C"):
        assert colour.lower() in markup.lower()
