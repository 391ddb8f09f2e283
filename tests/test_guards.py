"""Guards at every door (calculator/guards.py) and the one reader of uploaded tables (read_table)."""

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calculator.census import TableError, read_table
from calculator.census.validate import decimal_mark
from calculator.guards import InputError, check_json_shape, loads_json, parse_index, parse_int, read_limited


def test_read_limited_stops_at_the_limit_before_reading_more():
    class Endless(io.RawIOBase):
        served = 0

        def readable(self):
            return True

        def read(self, n=-1):
            self.served += n
            return b"\0" * n

    src = Endless()
    with pytest.raises(InputError, match="larger than the 0.0 MB limit .1,000 bytes"):
        read_limited(src, 1000, "the stream")
    assert src.served == 1001  # limit + 1, never more
    assert read_limited(io.BytesIO(b"abc"), 3) == b"abc"
    with pytest.raises(InputError, match="/dev/zero is larger"):
        read_limited("/dev/zero", 10)
    with pytest.raises(InputError, match="cannot be read .No such file"):
        read_limited("/nonexistent/x.json", 10)


def test_json_depth_and_number_length_are_checked_before_parsing():
    with pytest.raises(InputError, match="nested more than 32 levels deep .line 1"):
        loads_json("[" * 33 + "]" * 33)
    assert loads_json("[" * 32 + "]" * 32) is not None
    with pytest.raises(InputError, match="a number on line 2 has 41 characters; at most 40"):
        loads_json('{\n"a": ' + "1" * 41 + "}")
    assert loads_json('{"a": "' + "1" * 5000 + '"}')["a"] == "1" * 5000  # digits inside a string are text
    check_json_shape('"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["')  # brackets inside a string are text


def test_duplicate_keys_and_non_finite_constants_are_refused():
    with pytest.raises(InputError, match="the key 'employees' appears twice"):
        loads_json('{"employees": 1, "employees": 2}')
    with pytest.raises(InputError, match="NaN is not a number JSON allows"):
        loads_json('{"a": NaN}')
    assert loads_json("NaN", constants=True) != loads_json("NaN", constants=True)  # a float nan for --set


@pytest.mark.parametrize("text", ["²", "٣", "1٣", "", "-1", "1.0", " 1", "1" * 7])
def test_only_ascii_digits_make_an_index(text):
    with pytest.raises(InputError):
        parse_index(text, 3)


def test_parse_int_checks_length_and_digits():
    assert parse_int(" +42 ") == 42 and parse_int("-7") == -7
    with pytest.raises(InputError, match="5,000 digits; at most 18"):
        parse_int("1" * 5000)
    with pytest.raises(InputError, match="digits 0-9"):
        parse_int("²")


@given(st.text(max_size=200))
def test_loads_json_raises_only_input_errors(text):
    try:
        loads_json(text)
    except InputError:
        pass


# --------------------------------------------------------------------------------------------------
# read_table: the one door for any uploaded table


def test_read_table_returns_text_cells_with_spreadsheet_rows():
    df = read_table(b"group,members\nA,12\n\nB,7\n", "groups.csv", max_bytes=1000)
    assert df.to_dict(orient="list") == {"group": ["A", "B"], "members": ["12", "7"]}
    assert df.attrs["rows"] == [2, 4] and df.attrs["format"] == "csv"
    assert "skipped 1 blank row(s)" in df.attrs["notes"]


def test_read_table_refuses_rows_that_do_not_fit_and_files_over_the_limit():
    with pytest.raises(TableError, match=r"1 row\(s\) do not fit the header: row 3 has 3 fields"):
        read_table(b"a,b\n1,2\n1,2,3\n", "x.csv", max_bytes=1000)
    with pytest.raises(TableError, match="over the 0.0 MB limit"):
        read_table(b"a,b\n" + b"1,2\n" * 100, "x.csv", max_bytes=100)


def test_read_table_reads_xlsx_and_parquet_the_same_way():
    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(pa.table({"group": ["A", "B"], "members": [12, 7]}), buf)
    df = read_table(buf.getvalue(), "g.parquet", max_bytes=10_000)
    assert df.to_dict(orient="list") == {"group": ["A", "B"], "members": ["12", "7"]}


# --------------------------------------------------------------------------------------------------
# The decimal mark, decided per column from all its values


@pytest.mark.parametrize("values, prior, expected", [
    (["$52,000", "$48,500.00", "75,250"], "ask", "point"),  # the issue's column: $48,500.00 proves it
    (["1,000,000"], "ask", "point"),
    (["24,50", "1.234,5"], "point", "comma"),
    (["1.000.000"], "ask", "comma"),
    (["75,250"], "ask", "ambiguous"),
    (["75,250"], "point", "point"),
    (["1,5", "2.25"], "point", "ambiguous"),  # proofs both ways
    (["52000", "61000"], "ask", "point"),  # nothing to decide
])
def test_decimal_mark(values, prior, expected):
    assert decimal_mark(values, prior=prior)[0] == expected


def test_ambiguous_semicolon_column_asks_instead_of_refusing_rows():
    from calculator.census import CensusError, read_census

    data = b"id;salary\n1;75,250\n2;61,000\n"
    with pytest.raises(CensusError, match="column 'salary': cannot tell the decimal mark.*--decimal point"):
        read_census(data)
    assert read_census(data, decimal="point").data["annual_pay"].tolist() == [75250.0, 61000.0]
    # read with a decimal comma, 75.25 in a salary column is flagged as an hourly wage, row by row
    assert set(read_census(data, decimal="comma").issues["code"]) == {"mixed_units"}


def test_read_limited_reads_a_regular_file_in_one_buffer_at_its_limit(tmp_path):
    """A regular file is read with one read of its size + 1 (issue 10: no chunks joined into a copy)."""
    path = tmp_path / "f.csv"
    path.write_bytes(b"x" * 5000)
    assert read_limited(str(path), 5000) == b"x" * 5000  # exactly the limit: accepted, whole
    with pytest.raises(InputError, match="larger than the 0.0 MB limit .4,999 bytes"):
        read_limited(str(path), 4999)
    path.write_bytes(b"")
    assert read_limited(str(path), 10) == b""


def test_freed_memory_block_nests_and_moves_arrow_to_the_system_allocator():
    import pyarrow as pa

    from calculator import guards

    with guards.freed_memory_returned():
        with guards.freed_memory_returned():
            assert guards._depth == 2
        assert guards._depth == 1
        assert pa.default_memory_pool().backend_name == "system"
    assert guards._depth == 0
    with pytest.raises(KeyError), guards.freed_memory_returned():
        raise KeyError("x")
    assert guards._depth == 0  # left on an error too
