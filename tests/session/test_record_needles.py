"""The needle count rule: no session closes while needles counted out differ from those put in."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurotimer.session.needles import MAX_NEEDLES, close_check

counts = st.integers(0, MAX_NEEDLES)


@given(counts, counts)
@settings(max_examples=60)
def test_closing_is_allowed_exactly_when_the_counts_match(needles_in: int, needles_out: int) -> None:
    check = close_check(needles_in, needles_out)
    assert check.ok == (needles_in == needles_out)
    assert (check.message == "") == check.ok


def test_the_message_says_how_many_are_still_in() -> None:
    assert close_check(12, 9).message == "3 needles are still in: count them out before ending."
    assert close_check(12, 11).message == "1 needle is still in: count them out before ending."
    assert close_check(1, None).message == "1 needle is still in: count them out before ending."


def test_needles_not_yet_counted_out_block_closing_unless_none_went_in() -> None:
    assert not close_check(4, None).ok
    assert close_check(0, None).ok


def test_more_out_than_in_asks_for_a_recount() -> None:
    check = close_check(10, 11)
    assert not check.ok
    assert check.message == "11 needles counted out but 10 put in: count again before ending."


@pytest.mark.parametrize("bad", [-1, MAX_NEEDLES + 1, 2.5, True])
def test_a_count_that_cannot_be_is_refused(bad) -> None:
    with pytest.raises(ValueError, match="needle count"):
        close_check(bad, 0)
    with pytest.raises(ValueError, match="needle count"):
        close_check(3, bad)
