"""Normalising what callers say into what the database indexes: names, addresses, phones, ids."""

from __future__ import annotations

import re

import phonenumbers
from django.conf import settings
from unidecode import unidecode

_NON_ALNUM = re.compile(r"[^a-z0-9]+")

STREET_WORDS = {
    "st": "street",
    "str": "street",
    "ave": "avenue",
    "av": "avenue",
    "rd": "road",
    "dr": "drive",
    "ln": "lane",
    "blvd": "boulevard",
    "ct": "court",
    "pl": "place",
    "sq": "square",
    "hwy": "highway",
    "pkwy": "parkway",
    "cres": "crescent",
    "ter": "terrace",
    "cir": "circle",
    "n": "north",
    "s": "south",
    "e": "east",
    "w": "west",
    "ne": "northeast",
    "nw": "northwest",
    "se": "southeast",
    "sw": "southwest",
}


def text_key(value: str) -> str:
    """Lower case, accents removed, punctuation folded into single spaces: 'Ça-Müller ' -> 'ca muller'."""
    return _NON_ALNUM.sub(" ", unidecode(value or "").lower()).strip()


def name_key(value: str) -> str:
    return text_key(value)


def street_key(value: str) -> str:
    """A street name in one spelling: 'N. Elm St' -> 'north elm street'."""
    return " ".join(STREET_WORDS.get(w, w) for w in text_key(value).split())


def identifier_key(value: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", unidecode(value or "").upper())


class PhoneError(ValueError):
    pass


def phone_e164(value: str, region: str | None = None) -> str:
    """Parse a phone number typed in any format into E.164, or raise PhoneError."""
    try:
        parsed = phonenumbers.parse(value, region or settings.CUSTCARE_DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise PhoneError(f"'{value}' is not a phone number.") from exc
    if not phonenumbers.is_possible_number(parsed):
        raise PhoneError(f"'{value}' is not a possible phone number.")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_display(e164: str) -> str:
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    home = phonenumbers.country_code_for_region(settings.CUSTCARE_DEFAULT_REGION)
    if parsed.country_code == home:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def mask(value: str, visible: int = 4) -> str:
    """Identifiers are shown masked: all but the last `visible` characters hidden."""
    if len(value) <= visible:
        return "•" * len(value)
    return "•" * (len(value) - visible) + value[-visible:]
