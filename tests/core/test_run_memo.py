"""A run's reads answer once inside the run and afresh outside it: nothing outlives a batch."""
from core.run_memo import per_run, run_memo

calls = []


@per_run
def read(code, *, level="county"):
    calls.append((code, level))
    return [code, level]


def setup_function():
    calls.clear()


def test_inside_a_run_each_distinct_call_is_read_once():
    with run_memo():
        assert read("4301") is read("4301")
        read("4302")
        read("4301", level="city")
        read("4301", level="city")
    assert calls == [("4301", "county"), ("4302", "county"), ("4301", "city")]


def test_outside_a_run_and_after_one_every_call_reads():
    read("4301")
    with run_memo():
        read("4301")
    read("4301")
    with run_memo():
        read("4301")
    assert len(calls) == 4


def test_a_run_inside_a_run_shares_the_outer_answers():
    with run_memo():
        read("4301")
        with run_memo():
            read("4301")
        read("4301")
    assert len(calls) == 1


@run_memo()
def _batch():
    return read("4301") is read("4301")


def test_as_a_decorator_each_call_is_a_run():
    assert _batch() and _batch()
    assert len(calls) == 2
