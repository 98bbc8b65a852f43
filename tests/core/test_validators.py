import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from fugong.core.masking import mask_id_number, mask_mobile, mask_name
from fugong.core.pinyin import search_key
from fugong.core.validators import clean_credit_code, clean_mobile, clean_resident_id


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("91110000600037341L", "91110000600037341L"),  # business registration (authority 9)
        ("9111 0000 6000 3734 1l", "91110000600037341L"),  # spaces and lower case as typed
        ("N2360823MA35678911", "N2360823MA35678911"),  # rural collective: letter authority
    ],
)
def test_credit_codes_are_accepted_in_canonical_form(raw: str, expected: str) -> None:
    assert clean_credit_code(raw) == expected


@pytest.mark.parametrize(
    "raw, code",
    [
        ("91110000600037341M", "credit_code_checksum"),
        ("9111000060003734", "credit_code_length"),
        ("91110000600037341I", "credit_code_format"),  # I is not in the code alphabet
        ("911100A0600037341L", "credit_code_format"),  # region part must be digits
    ],
)
def test_bad_credit_codes_say_what_is_wrong(raw: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        clean_credit_code(raw)
    assert caught.value.code == code


def test_resident_id_checks_checksum_and_birth_date() -> None:
    assert clean_resident_id("110101198001011232") == "110101198001011232"
    with pytest.raises(ValidationError) as caught:
        clean_resident_id("110101198001011233")
    assert caught.value.code == "resident_id_checksum"
    with pytest.raises(ValidationError):
        clean_resident_id("110101198013011232")  # month 13


@pytest.mark.parametrize("raw", ["13907960001", "+86 139 0796 0001", "139-0796-0001", "8613907960001"])
def test_mobile_numbers_normalise_to_e164(raw: str) -> None:
    assert clean_mobile(raw) == "+8613907960001"


@pytest.mark.parametrize("raw", ["0796-3662000", "12345", "1390796000", "abc"])
def test_landlines_and_junk_are_not_mobiles(raw: str) -> None:
    with pytest.raises(ValidationError):
        clean_mobile(raw)


def test_error_messages_follow_the_users_language() -> None:
    with pytest.raises(ValidationError) as caught:
        clean_mobile("12345")
    with translation.override("zh-hans"):  # messages are rendered when read, in the active language
        assert "手机" in caught.value.messages[0]
    with translation.override("en"):
        assert "mobile" in caught.value.messages[0]


def test_masking_hides_the_middle() -> None:
    assert mask_mobile("+8613812345678") == "138****5678"
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_id_number("330126198001011234") == "3301**********1234"
    assert mask_name("张三丰") == "张**"
    assert mask_mobile(None) == "" and mask_id_number("") == ""


def test_search_key_holds_name_pinyin_and_initials() -> None:
    key = search_key("巴邱镇")
    assert "巴邱镇" in key and "baqiuzhen" in key and "bqz" in key
