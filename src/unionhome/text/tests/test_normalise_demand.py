"""clean_text keeps what the worker wrote (script, Chinese punctuation, line breaks) and tidies the
rest; normalise_for_matching is what the tokeniser, classifier and spam rules see."""

from unionhome.text.normalise import clean_text, normalise_for_matching, normalise_for_search


def test_clean_text_folds_width_but_keeps_script_and_chinese_punctuation():
    assert clean_text("無錫恆達拖欠工資１５６００元，ＡＢＣ？") == "無錫恆達拖欠工資15600元，ABC？"


def test_clean_text_drops_invisible_and_control_characters_but_keeps_newline_and_tab():
    raw = "老板\u200b欠薪\x00\u202e三个月\ufeff\r\n第二行\t有个tab\x07"
    assert clean_text(raw) == "老板欠薪三个月\n第二行\t有个tab"


def test_clean_text_collapses_spaces_and_blank_lines_and_trims():
    raw = "\u3000 老板   欠薪  \r\n\r\n\r\n\r\n  第二段 \u00a0 "
    assert clean_text(raw) == "老板 欠薪\n\n第二段"
    assert clean_text("") == ""
    assert clean_text(None) == ""


def test_clean_text_is_idempotent():
    once = clean_text(" 工傷 認定（１）\r\n\r\n\r\nＯＫ ")
    assert clean_text(once) == once


def test_normalise_for_matching_is_simplified_lower_single_line():
    assert normalise_for_matching("無錫 恆達\n\n加班費ＡＢＣ，") == "无锡 恒达 加班费abc,"


def test_search_normalisation_is_unchanged():
    # Existing callers depend on this exact form.
    assert normalise_for_search("無錫 恆達ＡＢＣ") == "无锡 恒达abc"
