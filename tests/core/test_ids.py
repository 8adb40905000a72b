from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from custcare.core.ids import MULTIPLIER, SPACE, new_id, new_ids, scramble


@given(st.integers(min_value=0, max_value=SPACE - 1), st.integers(min_value=0, max_value=SPACE - 1))
def test_scramble_is_a_bijection_on_ten_digits(a, b):
    assert len(scramble(a)) == 10 and scramble(a).isdigit()
    assert (scramble(a) == scramble(b)) == (a == b)


def test_multiplier_is_invertible_modulo_the_space():
    assert pow(MULTIPLIER, -1, SPACE) * MULTIPLIER % SPACE == 1


def test_ids_are_unique_and_do_not_reveal_order(db):
    ids = [new_id() for _ in range(50)] + new_ids(500)
    assert len(set(ids)) == 550
    assert all(len(i) == 10 and i.isdigit() for i in ids)
    assert ids[:50] != sorted(ids[:50])
