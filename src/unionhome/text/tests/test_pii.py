import pytest

from unionhome.text import pii


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我的身份证号是11010519491231002X，请核实", "我的身份证号是******************，请核实"),
        ("电话13812345678", "电话138****5678"),
        ("电话 +86 138-1234-5678 找我", "电话 +86 138****5678 找我"),
        ("办公室0510-82345678", "办公室*************"),
        ("工资卡6222021234567890128没到账", "工资卡*******************没到账"),
        ("邮箱 worker.li@example.com", "邮箱 " + "*" * len("worker.li@example.com")),
        ("我叫张伟，在恒达精密上班", "我叫张*，在恒达精密上班"),
        ("姓名：欧阳修", "姓名：欧阳修"),  # compound surname not in the list: not guessed
        ("联系人李娜说", "联系人李*说"),
        ("车间的王师傅和刘女士都没拿到工资", "车间的王师傅和刘女士都没拿到工资"),
        ("王强师傅反映", "王*师傅反映"),
    ],
)
def test_personal_data_in_free_text_is_masked(text, expected):
    assert pii.mask(text) == expected


def test_company_and_place_names_are_left_alone():
    text = "无锡恒达精密机械有限公司拖欠梁溪区崇安寺街道三十名职工3月和4月工资共计12万元"
    assert pii.mask(text) == text


def test_a_number_that_only_looks_like_an_id_is_not_masked():
    # 18 digits with a wrong check character: an order number, not an identity
    assert pii.mask("订单号110105194912310021") == "订单号110105194912310021"


def test_full_width_digits_are_caught():
    assert pii.mask("电话１３８１２３４５６７８") == "电话138****5678"
