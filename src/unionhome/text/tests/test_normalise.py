from unionhome.text.normalise import normalise_for_search


def test_traditional_full_width_and_case_fold_to_one_search_form():
    assert normalise_for_search("無錫 恆達ＡＢＣ") == "无锡 恒达abc"


def test_spacing_collapses_and_empty_stays_empty():
    assert normalise_for_search("  无锡\u3000\t恒达  ") == "无锡 恒达"
    assert normalise_for_search("") == ""
