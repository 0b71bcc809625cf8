"""Crafted CSV uploads, one function per class of hostile input, for tests and benchmarks.

Each returns the file's bytes. ``size`` is roughly the file's size in bytes; a matching
plain file (the same rows of ordinary numbers) comes from :func:`plain`.
"""

from __future__ import annotations


def plain(size: int) -> bytes:
    """An honest two-column CSV of about ``size`` bytes: what hostile files are timed against."""
    rows = ["x,y"]
    total, i = 4, 0
    while total < size:
        row = f"{i * 0.37:.4f},{i * 1.93 + 5:.4f}"
        rows.append(row)
        total += len(row) + 1
        i += 1
    return ("\n".join(rows) + "\n").encode()


def backtracking(size: int, run: int = 40) -> bytes:
    """Tab-separated numbers, then lines of a long run of tabs ending in a letter: a pattern
    that lets a tab be a separator or blank space backtracks exponentially on each."""
    head = b"".join(b"%d\t%d\n" % (i, 2 * i + 1) for i in range(60))  # what the sniffer reads
    head = b"x\ty\n" + head
    line = b"\t" * run + b"x\n"
    return head + line * max(1, (size - len(head)) // len(line))


def nfkc_expansion(size: int) -> bytes:
    """Numbers, one full-width digit (so full-width handling is on), and a text column of
    U+FDFA, which NFKC normalisation turns into 18 characters."""
    head = "x,y,note\n１,2,a\n"
    cell = "\ufdfa" * 200
    rows = []
    total, i = len(head.encode()), 0
    while total < size:
        row = f"{i},{2 * i + 1},{cell}\n"
        rows.append(row)
        total += len(row.encode())
        i += 1
    return (head + "".join(rows)).encode()


def long_cells(size: int, cell: int = 50_000) -> bytes:
    """Two number columns and a column of long digit-heavy text cells (1111...1xxxxx): a
    pattern with two free digit runs over such a cell is quadratic in its length."""
    text = "1" * cell + "xxxxx"
    rows = ["x,y,note"]
    total, i = 10, 0
    while total < size:
        row = f"{i},{2 * i + 1},{text}"
        rows.append(row)
        total += len(row) + 1
        i += 1
    return ("\n".join(rows) + "\n").encode()


def wide(size: int) -> bytes:
    """As many short numeric columns as fit: per-column work multiplies by tens of thousands."""
    columns = max(2, size // 8)
    header = ",".join(f"c{i}" for i in range(columns))
    row = ",".join("1" for _ in range(columns))
    return (header + "\n" + row + "\n" + row + "\n").encode()


HOSTILE = {"backtracking": backtracking, "nfkc_expansion": nfkc_expansion,
           "long_cells": long_cells, "wide": wide}
