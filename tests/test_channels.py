"""Channel words (channels.py): a sentence computed once says how to act in each theme's own words."""

from __future__ import annotations

import copy
import pickle

from sitegen.site.channels import TV_ONLY, WORDS, Said, words_for
from sitegen.site.render import environment


def test_a_said_sentence_is_written_in_each_themes_words():
    said = Said(lambda w: f"{w.pick}金额可以看到每一笔{{x}}。")  # clerk-like braces stay as they are
    assert said == "选中金额可以看到每一笔{x}。"  # as a plain string: the TV's
    assert said.for_theme("mobile") == "点击金额可以看到每一笔{x}。"
    assert said.for_theme("print") == said.for_theme("mobile")  # a theme not listed: the web's words
    for again in (pickle.loads(pickle.dumps(said)), copy.deepcopy(said)):
        assert again.by_theme == said.by_theme
    for theme in ("tv", "mobile"):
        template = environment(theme).from_string("{{ s }}|{{ words.open_row }}")
        assert template.render(s=said) == f"{said.for_theme(theme)}|{WORDS[theme].open_row}"


def test_phone_words_say_nothing_of_a_remote_control():
    for field in ("pick", "open_row"):
        assert not any(w in getattr(words_for("mobile"), field) for w in TV_ONLY)
    assert "确定键" in WORDS["tv"].open_row
