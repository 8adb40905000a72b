from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from custcare.customers.normalize import PhoneError, identifier_key, mask, name_key, phone_e164, street_key


@pytest.mark.parametrize(
    ("raw", "key"),
    [("Müller, Anna", "muller anna"), ("  NÚÑEZ-García ", "nunez garcia"), ("O'Brien & Sons Ltd.", "o brien sons ltd")],
)
def test_name_key_folds_case_accents_and_punctuation(raw, key):
    assert name_key(raw) == key


def test_street_key_spells_abbreviations_out():
    assert street_key("N. Elm St") == street_key("North Elm Street") == "north elm street"


@pytest.mark.parametrize("raw", ["(555) 201-3344", "555.201.3344", "+1 555 201 3344", "1-555-201-3344", "5552013344"])
def test_phone_numbers_in_any_format_become_e164(raw):
    assert phone_e164(raw) == "+15552013344"


@pytest.mark.parametrize("raw", ["abc", "12", ""])
def test_impossible_phone_numbers_are_refused(raw):
    with pytest.raises(PhoneError):
        phone_e164(raw)


def test_identifiers_are_masked_and_keyed():
    assert mask("123-45-6789") == "•••••••6789"
    assert identifier_key("123-45 6789") == "123456789"


@given(st.text(max_size=60))
def test_name_key_is_idempotent_and_ascii(text):
    key = name_key(text)
    assert name_key(key) == key
    assert key.isascii() and key == key.lower()


def test_home_country_numbers_display_in_national_format():
    from custcare.customers.normalize import phone_display

    assert phone_display("+15552013344") == "(555) 201-3344"
    assert phone_display("+442079460000").startswith("+44 ")
