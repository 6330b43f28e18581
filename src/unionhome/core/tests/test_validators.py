import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from unionhome.core import validators as v

# Real, published codes: agreeing with three of them by chance would be a 1-in-29,791 event.
REAL_USCC = ["914403001922038216", "91350100M000100Y43", "911100001000079554"]
# The worked examples printed in GB 11643-1999 itself.
STANDARD_ID_NUMBERS = ["11010519491231002X", "440524188001010014"]


@pytest.mark.parametrize("code", REAL_USCC)
def test_real_credit_codes_pass(code):
    v.validate_uscc(code)


def test_credit_code_typed_with_fullwidth_and_lowercase_passes():
    v.validate_uscc("９１３５０１００m０００１００y４３")


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("91350100M000100Y4", "uscc_length"),
        ("91350100M000100Y44", "uscc_checksum"),
        ("91350100MO00100Y43", "uscc_chars"),  # letter O is not in the alphabet
        ("91ABCDEFM000100Y43", "uscc_region"),
    ],
)
def test_bad_credit_codes_are_refused_with_a_reason(code, error):
    with pytest.raises(ValidationError) as info:
        v.validate_uscc(code)
    assert info.value.code == error


@given(st.sampled_from(REAL_USCC), st.integers(0, 16), st.sampled_from(v.USCC_ALPHABET))
def test_any_single_character_change_breaks_the_checksum(code, position, replacement):
    changed = code[:position] + replacement + code[position + 1 :]
    if changed == code:
        return
    assert v.uscc_check_char(changed[:17]) != changed[17]


def test_union_legal_person_code_must_come_from_the_union_registry():
    union_code = "81320200" + "123456789"
    union_code += v.uscc_check_char(union_code)
    v.validate_union_uscc(union_code)
    with pytest.raises(ValidationError):
        v.validate_union_uscc(REAL_USCC[0])


@pytest.mark.parametrize("number", STANDARD_ID_NUMBERS)
def test_check_character_matches_the_standards_examples(number):
    assert v.id_check_char(number[:17]) == number[17]


def test_standard_id_number_passes():
    v.validate_id_number(STANDARD_ID_NUMBERS[0])


def test_birth_before_1900_is_implausible_for_a_worker():
    # The standard's second example (born 1880) has a right checksum but no living worker.
    with pytest.raises(ValidationError) as info:
        v.validate_id_number(STANDARD_ID_NUMBERS[1])
    assert info.value.code == "id_birth_range"


def test_lowercase_x_and_fullwidth_digits_are_accepted():
    v.validate_id_number("１１０１０５１９４９１２３１００２x")


@pytest.mark.parametrize(
    ("number", "error"),
    [
        ("110105491231002", "id_legacy"),
        ("11010519491231002Y", "id_format"),
        ("99010519491231002X", "id_region"),
        ("110105194902310020", "id_birth_date"),  # 31 February
        ("110105299901010011", "id_birth_range"),  # born in 2999
        ("110105194912310021", "id_checksum"),
    ],
)
def test_bad_id_numbers_are_refused_with_a_reason(number, error):
    with pytest.raises(ValidationError) as info:
        v.validate_id_number(number)
    assert info.value.code == error


@pytest.mark.parametrize("code", ["320000", "320200", "320213", "110105", "820000"])
def test_region_codes_pass(code):
    v.validate_region_code(code)


@pytest.mark.parametrize(
    ("code", "error"),
    [("32021", "region_format"), ("32a213", "region_format"), ("990000", "region_province"),
     ("320013", "region_structure")],
)  # fmt: skip
def test_bad_region_codes_are_refused(code, error):
    with pytest.raises(ValidationError) as info:
        v.validate_region_code(code)
    assert info.value.code == error


def test_region_containment_follows_digit_pairs():
    assert v.region_contains("320000", "320213")
    assert v.region_contains("320200", "320213")
    assert v.region_contains("320213", "320213")
    assert not v.region_contains("320200", "320102")
    assert not v.region_contains("320000", "110105")
    # "320100" (南京) must not contain "321000" (扬州) just because "3201" and "3210" share "32"
    assert not v.region_contains("320100", "321000")


@pytest.mark.parametrize(
    "raw", ["13812345678", "+86 138-1234-5678", "0086 13812345678", "１３８１２３４５６７８"]
)
def test_mobile_numbers_are_normalised_and_accepted(raw):
    v.validate_mobile(raw)
    assert v.normalise_phone(raw) == "13812345678"


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "138123456789", "010-12345678"])
def test_bad_mobile_numbers_are_refused(raw):
    with pytest.raises(ValidationError):
        v.validate_mobile(raw)


regions = st.sampled_from(["110105", "320213", "320281", "440305", "650102", "810000"])
births = st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2008, 12, 31))


@given(regions, births, st.integers(0, 999))
def test_any_well_formed_id_number_passes_and_any_single_digit_error_is_caught(region, born, seq):
    body = f"{region}{born:%Y%m%d}{seq:03d}"
    number = body + v.id_check_char(body)
    v.validate_id_number(number)
    for i in range(17):
        wrong = number[:i] + str((int(number[i]) + 1) % 10) + number[i + 1 :]
        try:
            v.validate_id_number(wrong)
        except ValidationError:
            continue
        raise AssertionError(f"{wrong} (digit {i} changed) was accepted")
