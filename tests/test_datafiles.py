"""Users' own binary data: every file type and in-memory form, and one clear error
(file, row, column, value) for each kind of bad input."""

from __future__ import annotations

import numpy as np
import pytest

from qsample.datafiles import as_spins, read_binary_file, read_pbm, read_picture

ROWS = np.array([[1, 0, 1, 1], [0, 0, 1, 0], [1, 1, 0, 0]])
SPINS = np.where(ROWS == 1, 1, -1).astype(np.int8)


def write(path, text):
    path.write_text(text)
    return path


# -- in memory -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "X",
    [
        ROWS,
        ROWS.tolist(),
        ROWS.astype(bool),
        ROWS.astype(float),
        2 * ROWS - 1,
        (2 * ROWS - 1).tolist(),
        ROWS.astype(np.uint8),
        (2 * ROWS - 1).astype(np.int8),
    ],
    ids=["01", "list", "bool", "float", "pm1", "pm1-list", "uint8", "int8"],
)
def test_binary_arrays_become_int8_spins(X):
    spins, missing = as_spins(X)
    assert spins.dtype == np.int8 and spins.flags.c_contiguous
    np.testing.assert_array_equal(spins, SPINS)
    assert missing.dtype == bool and not missing.any()


def test_columns_are_read_each_by_its_own_convention():
    spins, _ = as_spins([[0, -1], [1, 1]])  # column 0 is 0/1, column 1 is -1/+1
    np.testing.assert_array_equal(spins, [[-1, -1], [1, 1]])
    spins, _ = as_spins(np.ones((2, 3)))
    np.testing.assert_array_equal(spins, np.ones((2, 3)))


def test_nan_and_none_are_missing():
    X = ROWS.astype(float)
    X[1, 2] = np.nan
    spins, missing = as_spins(X)
    assert missing.sum() == 1 and missing[1, 2]
    assert spins[1, 2] == 0  # cannot pass for data
    np.testing.assert_array_equal(spins[~missing], SPINS[~missing])
    spins, missing = as_spins([[1, None], [0, 1]])
    np.testing.assert_array_equal(missing, [[False, True], [False, False]])


def test_ragged_lists_are_refused():
    with pytest.raises(ValueError, match="'X': row 2 has 1 values where row 0 has 2"):
        as_spins([[0, 1], [1, 0], [1]])


def test_a_one_dimensional_input_is_one_row():
    spins, _ = as_spins([0, 1, 1])
    assert spins.shape == (1, 3)


@pytest.mark.parametrize(
    "X, where, value",
    [
        ([[0, 1], [2, 1]], "row 1, column 0", "2"),
        ([[0, 1, 0.5]], "row 0, column 2", "0.5"),
        (np.array([[1.0, np.inf]]), "row 0, column 1", "inf"),
        ([[1, "1"]], "row 0, column 1", "'1'"),
        ([[1, 0], [1, -3]], "row 1, column 1", "-3"),
    ],
)
def test_bad_values_are_named_by_row_column_and_value(X, where, value):
    with pytest.raises(ValueError) as info:
        as_spins(X, name="data")
    assert f"'data': {where} is {value};" in str(info.value)


def test_mixing_zero_and_minus_one_in_a_column_is_refused():
    with pytest.raises(
        ValueError,
        match=r"row 0, column 1 is 0 but the column also holds -1 "
        r"\(at row 2, column 1\)",
    ):
        as_spins([[1, 0], [0, 1], [1, -1]])


def test_what_is_not_data_is_refused():
    with pytest.raises(TypeError, match="'X' must be a numpy array"):
        as_spins({"a": [0, 1]})
    with pytest.raises(TypeError):
        as_spins(3)
    with pytest.raises(ValueError, match="holds text .* row 0, column 0 is '0'"):
        as_spins(np.array([["0", "1"]]))
    with pytest.raises(ValueError, match="2-D"):
        as_spins(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="at least one row"):
        as_spins(np.zeros((0, 3)))


def test_scipy_sparse_matrices():
    sparse = pytest.importorskip("scipy.sparse")
    spins, missing = as_spins(sparse.csr_matrix(ROWS))
    np.testing.assert_array_equal(spins, SPINS)
    with pytest.raises(ValueError, match="row 0, column 0 is 0 but the column also holds -1"):
        as_spins(sparse.csr_matrix(np.array([[0, 1], [-1, 1]])))


def test_pandas_dataframes():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(ROWS, columns=["a", "b", "c", "d"])
    np.testing.assert_array_equal(as_spins(frame)[0], SPINS)
    frame = pd.DataFrame(
        {"a": [True, False], "b": pd.array([1, None], dtype="Int64"), "c": [-1, 1]}
    )
    spins, missing = as_spins(frame)
    np.testing.assert_array_equal(spins, [[1, 1, -1], [-1, 0, 1]])
    np.testing.assert_array_equal(missing, [[False, False, False], [False, True, False]])
    with pytest.raises(ValueError, match=r"row 1, column 1 \('smoker'\) is 'often'"):
        as_spins(pd.DataFrame({"age": [0, 1], "smoker": [1, "often"]}))


# -- files ---------------------------------------------------------------------------------
def test_npy_and_npz_files(tmp_path):
    np.save(tmp_path / "d.npy", 2 * ROWS - 1)
    np.testing.assert_array_equal(read_binary_file(tmp_path / "d.npy").spins, SPINS)
    np.savez(tmp_path / "one.npz", pixels=ROWS.astype(bool))
    d = read_binary_file(tmp_path / "one.npz")
    np.testing.assert_array_equal(d.spins, SPINS)
    np.savez(tmp_path / "two.npz", X=ROWS, y=np.array([3, 1, 3]))
    d = read_binary_file(tmp_path / "two.npz", labels="y")
    np.testing.assert_array_equal(d.spins, SPINS)
    np.testing.assert_array_equal(d.labels, [3, 1, 3])
    d = read_binary_file(tmp_path / "two.npz", key="X", labels=0)
    np.testing.assert_array_equal(d.spins, SPINS[:, 1:])
    np.testing.assert_array_equal(d.labels, ROWS[:, 0])
    with pytest.raises(ValueError, match=r"holds 2 arrays \['X', 'y'\]; say which .* 'key'"):
        read_binary_file(tmp_path / "two.npz")
    with pytest.raises(ValueError, match="'key' must name an array"):
        read_binary_file(tmp_path / "two.npz", key="Z")


def test_npy_bad_value_names_file_row_and_column(tmp_path):
    X = ROWS.astype(float)
    X[2, 1] = 0.25
    np.save(tmp_path / "d.npy", X)
    with pytest.raises(ValueError, match=r"d\.npy': row 3, column 2 is 0\.25"):
        read_binary_file(tmp_path / "d.npy")
    X[2, 1] = np.nan
    np.save(tmp_path / "d.npy", X)
    d = read_binary_file(tmp_path / "d.npy")
    assert d.has_missing and d.missing[2, 1]


def test_npy_with_objects_is_refused_without_unpickling(tmp_path):
    np.save(tmp_path / "o.npy", np.array([[1, None]], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="unpickling"):
        read_binary_file(tmp_path / "o.npy")


def test_csv_with_header_labels_and_missing_entries(tmp_path):
    path = write(
        tmp_path / "d.csv",
        "fever,cough,tired,diagnosis\n1,0,1,flu\n0,,1,cold\nyes,?,no,flu\n\nTrue,NaN,false,cold\n",
    )
    d = read_binary_file(path, labels="diagnosis")
    assert d.columns == ("fever", "cough", "tired")
    np.testing.assert_array_equal(d.labels, ["flu", "cold", "flu", "cold"])
    np.testing.assert_array_equal(d.missing[:, 1], [False, True, True, True])
    np.testing.assert_array_equal(d.spins, [[1, -1, 1], [-1, 0, 1], [1, 0, -1], [1, 0, -1]])
    by_index = read_binary_file(path, labels=-1)
    np.testing.assert_array_equal(by_index.spins, d.spins)
    np.testing.assert_array_equal(by_index.labels, d.labels)


def test_text_without_header_whitespace_separated_with_integer_labels(tmp_path):
    path = write(tmp_path / "d.txt", "# a comment\n1 0 1 1 7\n0  0 1 0 2\n1 1\t0 0 7\n")
    d = read_binary_file(path, labels=4)
    assert d.columns is None
    np.testing.assert_array_equal(d.spins, SPINS)
    np.testing.assert_array_equal(d.labels, [7, 2, 7])
    assert d.labels.dtype.kind == "i"
    plain = read_binary_file(write(tmp_path / "p.csv", "-1,1\n1,-1\n"))
    np.testing.assert_array_equal(plain.spins, [[-1, 1], [1, -1]])


def test_a_first_row_with_a_typo_is_not_taken_for_a_header(tmp_path):
    with pytest.raises(ValueError, match=r"line 1, column 3 is 'l'"):
        read_binary_file(write(tmp_path / "d.csv", "1,0,l\n0,1,1\n"))


def test_spreadsheet_exports(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes("\ufeffa,b\r\n1,0\r\n0,1\r\n".encode())  # byte-order mark, CRLF
    d = read_binary_file(path)
    assert d.columns == ("a", "b")
    np.testing.assert_array_equal(d.spins, [[1, -1], [-1, 1]])
    index = read_binary_file(write(tmp_path / "i.csv", ",a,b\n0,1,0\n1,0,1\n"), labels=0)
    assert index.columns == ("a", "b")  # pandas' nameless index column
    (tmp_path / "l.csv").write_bytes(b"a,b\n1,\xff\n")
    with pytest.raises(ValueError, match="not UTF-8 text"):
        read_binary_file(tmp_path / "l.csv")


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"'.*nowhere\.csv' does not exist"):
        read_binary_file(tmp_path / "nowhere.csv")


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file(tmp_path, text):
    with pytest.raises(ValueError, match=r"d\.csv' is empty"):
        read_binary_file(write(tmp_path / "d.csv", text))


def test_header_without_rows(tmp_path):
    with pytest.raises(ValueError, match="has a header but no rows"):
        read_binary_file(write(tmp_path / "d.csv", "a,b\n"))


def test_ragged_rows(tmp_path):
    path = write(tmp_path / "d.csv", "1,0,1\n0,1,1\n\n1,1\n")
    with pytest.raises(ValueError, match=r"d\.csv': line 4 has 2 fields where line 1 has 3"):
        read_binary_file(path)


def test_value_that_is_not_binary_names_line_column_and_value(tmp_path):
    path = write(tmp_path / "d.csv", "a,b,c\n1,0,1\n0,2,1\n")
    with pytest.raises(ValueError) as info:
        read_binary_file(path)
    assert "d.csv': line 3, column 2 ('b') is '2'; values must be" in str(info.value)
    path = write(tmp_path / "e.csv", "1,0\n0,maybe\n")
    with pytest.raises(ValueError, match=r"line 2, column 2 is 'maybe'"):
        read_binary_file(path)
    path = write(tmp_path / "f.csv", "x,y\n0,1\n-1,1\n")
    with pytest.raises(
        ValueError,
        match=r"line 2, column 1 \('x'\) is '0' but the column also "
        r"holds -1 \(at line 3, column 1 \('x'\)\)",
    ):
        read_binary_file(path)


def test_a_text_column_without_labels_suggests_naming_it(tmp_path):
    path = write(tmp_path / "d.csv", "a,kind\n1,cat\n0,dog\n")
    with pytest.raises(ValueError, match=r"line 2, column 2 \('kind'\) is 'cat'.*'labels'"):
        read_binary_file(path)


def test_labels_that_are_not_columns(tmp_path):
    path = write(tmp_path / "d.csv", "a,b\n1,0\n")
    with pytest.raises(ValueError, match=r"'labels' names column 'c'.*\['a', 'b'\]"):
        read_binary_file(path, labels="c")
    with pytest.raises(ValueError, match=r"'labels' must be a column index in \[-2, 1\]"):
        read_binary_file(path, labels=2)
    with pytest.raises(TypeError, match="'labels'"):
        read_binary_file(path, labels=1.5)
    with pytest.raises(ValueError, match="has no column names"):
        np.save(tmp_path / "d.npy", ROWS)
        read_binary_file(tmp_path / "d.npy", labels="y")
    with pytest.raises(ValueError, match=r"line 3, column 2 \(the labels\) is missing"):
        read_binary_file(write(tmp_path / "m.csv", "1,a\n0,b\n1,?\n"), labels=1)


def test_unknown_file_type(tmp_path):
    with pytest.raises(ValueError, match=r"unknown type '\.xlsx'"):
        read_binary_file(write(tmp_path / "d.xlsx", "1,0\n"))


# -- pictures ------------------------------------------------------------------------------
INK = np.array([[1, 0, 0, 1, 1], [0, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=bool)  # 5 wide, 3 high


def write_p1(path, bits):
    rows = "\n".join(" ".join(str(int(b)) for b in row) for row in bits)
    path.write_bytes(f"P1\n# made by a test\n{bits.shape[1]} {bits.shape[0]}\n{rows}\n".encode())
    return path


def write_p4(path, bits):
    packed = np.packbits(bits.astype(np.uint8), axis=1).tobytes()
    path.write_bytes(f"P4\n{bits.shape[1]} {bits.shape[0]}\n".encode() + packed)
    return path


def write_png(path, bits, *, gray=False):
    import matplotlib.image

    light = np.where(bits, 0.1, 0.9)  # ink is dark
    pixels = light if gray else np.dstack([light, light, light])
    matplotlib.image.imsave(path, pixels, cmap="gray", vmin=0, vmax=1)
    return path


def test_pbm_plain_and_raw(tmp_path):
    np.testing.assert_array_equal(read_pbm(write_p1(tmp_path / "a.pbm", INK)), INK)
    np.testing.assert_array_equal(read_pbm(write_p4(tmp_path / "b.pbm", INK)), INK)
    wide = np.tile(INK, (1, 3))  # 15 wide: rows padded to whole bytes
    np.testing.assert_array_equal(read_pbm(write_p4(tmp_path / "c.pbm", wide)), wide)
    np.testing.assert_array_equal(read_picture(tmp_path / "a.pbm"), np.where(INK, 1, -1))


def test_bad_pbm_files(tmp_path):
    with pytest.raises(ValueError, match="not a PBM file"):
        read_pbm(write(tmp_path / "a.pbm", "P2\n2 2\n0 1 1 0\n"))
    with pytest.raises(ValueError, match="holds 3 pixels where its header says 2x2 = 4"):
        read_pbm(write(tmp_path / "b.pbm", "P1\n2 2\n0 1 1\n"))
    (tmp_path / "c.pbm").write_bytes(b"P4\n8 2\n\x01")  # two rows of one byte, one given
    with pytest.raises(ValueError, match="cut short"):
        read_pbm(tmp_path / "c.pbm")
    with pytest.raises(ValueError, match="lacks a width and height"):
        read_pbm(write(tmp_path / "d.pbm", "P1\nwide tall\n"))


def test_png_is_thresholded_at_the_middle_gray(tmp_path):
    pytest.importorskip("matplotlib")
    for gray in (False, True):
        path = write_png(tmp_path / f"p{gray}.png", INK, gray=gray)
        np.testing.assert_array_equal(read_picture(path), np.where(INK, 1, -1))


def test_folder_of_pictures(tmp_path):
    pytest.importorskip("matplotlib")
    folder = tmp_path / "pics"
    folder.mkdir()
    write_p1(folder / "a.pbm", INK)
    write_png(folder / "b.png", ~INK)
    write_p4(folder / "c.PBM", INK)
    (folder / "notes.txt").write_text("not a picture")
    d = read_binary_file(folder)
    assert d.picture_shape == INK.shape and d.labels is None
    np.testing.assert_array_equal(
        d.spins, np.where(np.stack([INK, ~INK, INK]), 1, -1).reshape(3, -1)
    )
    assert not d.has_missing


def test_folder_with_one_subfolder_per_class(tmp_path):
    for name, bits in (("circle", INK), ("square", ~INK)):
        (tmp_path / name).mkdir()
        write_p1(tmp_path / name / "1.pbm", bits)
        write_p4(tmp_path / name / "2.pbm", bits)
    d = read_binary_file(tmp_path)
    np.testing.assert_array_equal(d.labels, ["circle", "circle", "square", "square"])
    np.testing.assert_array_equal(d.spins[2], np.where(~INK, 1, -1).reshape(-1))
    with pytest.raises(ValueError, match="'labels' must be None"):
        read_binary_file(tmp_path, labels=0)


def test_pictures_of_different_sizes_are_refused(tmp_path):
    write_p1(tmp_path / "a.pbm", INK)
    write_p1(tmp_path / "b.pbm", INK[:, :4])
    with pytest.raises(
        ValueError,
        match=r"b\.pbm' is 4x3 \(width x height\) but .*a\.pbm' is "
        "5x3",
    ):
        read_binary_file(tmp_path)


def test_folder_without_pictures(tmp_path):
    (tmp_path / "readme.txt").write_text("no pictures here")
    with pytest.raises(ValueError, match="holds no PNG/PBM pictures"):
        read_binary_file(tmp_path)


def test_a_png_that_is_not_one(tmp_path):
    pytest.importorskip("matplotlib")
    with pytest.raises(ValueError, match="cannot be read as PNG"):
        read_picture(write(tmp_path / "x.png", "not a png"))
