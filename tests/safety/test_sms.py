"""SMS segment counting: GSM-7 (160/153 septets) and UCS-2 (70/67 units)."""

from __future__ import annotations

import pytest

from conversation.sms import is_gsm7, sms_length, sms_segments


@pytest.mark.parametrize(("text", "segments"), [
    ("", 0),
    ("a", 1),
    ("a" * 160, 1),
    ("a" * 161, 2),
    ("a" * 306, 2),
    ("a" * 307, 3),
    ("a" * 459, 3),
    ("a" * 460, 4),
    ("â" * 70, 1),
    ("â" * 71, 2),
    ("â" * 134, 2),
    ("â" * 135, 3),
    ("â" * 201, 3),
    ("â" * 202, 4),
])
def test_segment_boundaries(text: str, segments: int) -> None:
    assert sms_segments(text) == segments


def test_extension_characters_count_double() -> None:
    assert sms_length("€") == 2
    assert sms_segments("€" * 80) == 1
    assert sms_segments("€" * 81) == 2
    assert sms_segments("a" * 159 + "[") == 2
    assert sms_segments("a" * 158 + "{") == 1


def test_escape_pair_is_not_split_across_parts() -> None:
    # 152 septets then a two-septet character: it cannot straddle the part boundary.
    assert sms_segments("a" * 152 + "^" + "a" * 153) == 3
    assert sms_segments("a" * 151 + "^" + "a" * 153) == 2


@pytest.mark.parametrize("char", ["â", "ê", "î", "ô", "û", "ç", "ë", "ï", "œ", "’", "é\u0301"])
def test_non_gsm_characters_force_ucs2(char: str) -> None:
    text = "a" * 100 + char
    assert not is_gsm7(text)
    assert sms_segments(text) == 2  # 101 or 102 UCS-2 units: over 70


@pytest.mark.parametrize("char", ["é", "è", "à", "ù", "ì", "ò", "Ç", "É", "'", "@", "\n"])
def test_french_letters_in_gsm7_stay_gsm7(char: str) -> None:
    text = "a" * 100 + char
    assert is_gsm7(text)
    assert sms_segments(text) == 1


def test_emoji_takes_two_ucs2_units_and_is_not_split() -> None:
    assert sms_length("😀") == 2
    assert sms_segments("😀" * 35) == 1
    assert sms_segments("😀" * 36) == 2
    # 66 units then an emoji: it starts the second part.
    assert sms_segments("â" * 66 + "😀" + "â" * 66) == 3
