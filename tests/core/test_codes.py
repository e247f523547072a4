"""Codes handed to the public: grouped, unambiguous, read back however they are typed."""
from core.codes import ALPHABET, new_code, normalise_code


def test_new_codes_have_their_groups_and_no_confusable_characters():
    code = new_code((4, 4, 4))
    assert [len(part) for part in code.split("-")] == [4, 4, 4]
    assert set(code.replace("-", "")) <= set(ALPHABET) and not set("01IOL") & set(ALPHABET)


def test_typed_codes_are_normalised_or_refused():
    assert normalise_code(" k7qx 2mhp-w9zd ", (4, 4, 4)) == "K7QX-2MHP-W9ZD"
    assert normalise_code("7a9gsygb8u", (5, 5)) == "7A9GS-YGB8U"
    assert normalise_code("K7QX-2MHP", (4, 4, 4)) == ""
