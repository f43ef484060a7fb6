#!/usr/bin/env python3
"""Cuts a text file into training batches for truncated backpropagation through time.

usage: text_chunks.py TEXT -o OUT.safetensors --batch B --seq S [--batches N]

The text is lower-cased and read as one stream of character ids (VOCAB below: 0 is the
space, which newlines become too, 1-26 the letters, then '.', ',' and one id for every
other character). The stream is split into B rows of equal length, one per batch row, and
each row into chunks of S characters. Batch i holds chunk i of every row:

  x: i64[N, B, S]      x[i, b] = row b, characters i*S .. i*S+S-1
  y: i64[N, B * S]     the character after each of them (x shifted by one), row b's S
                       targets in turn (a flat vector, as cross_entropy takes its targets
                       beside logits reshaped to [B * S, V])

so row b of batch i+1 continues where row b of batch i stopped: the hidden state a model
carries from one train step to the next (netc's `--data` gives step i batch i mod N) reads
each row as one continuous text. N is every whole chunk of a row, or --batches if smaller.
Plain Python: no other package is needed.
"""
import argparse
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors  # noqa: E402  (tests/e2e/safetensors.py, which needs no PyTorch to write)

VOCAB = " abcdefghijklmnopqrstuvwxyz.,"
OTHER = len(VOCAB)  # the id of every character not in VOCAB
V = len(VOCAB) + 1


def encode(text):
    """The ids of `text`, lower-cased, with newlines read as spaces."""
    ids = []
    for ch in text.lower().replace("\n", " "):
        i = VOCAB.find(ch)
        ids.append(i if i >= 0 else OTHER)
    return ids


def decode(ids):
    return "".join(VOCAB[i] if i < OTHER else "?" for i in ids)


def chunks(ids, batch, seq, limit=None):
    """(x, y, rows) as nested lists: x [N][B][S], y [N][B * S], and the row length."""
    rows = len(ids) // batch
    count = (rows - 1) // seq  # the last target of a chunk is the next chunk's first input
    if limit is not None:
        count = min(count, limit)
    if count < 1:
        raise SystemExit(f"text of {len(ids)} characters is too short for {batch} rows of "
                         f"chunks of {seq}")
    x, y = [], []
    for i in range(count):
        xs, ys = [], []
        for b in range(batch):
            start = b * rows + i * seq
            xs.append(ids[start:start + seq])
            ys.extend(ids[start + 1:start + seq + 1])
        x.append(xs)
        y.append(ys)
    return x, y, rows


def flatten(nested):
    while nested and isinstance(nested[0], list):
        nested = [v for part in nested for v in part]
    return nested


def write_ids(path, tensors, metadata):
    """Writes {name: (shape, int values)} as I64 tensors."""
    entries = [(name, "I64", shape, struct.pack(f"<{len(values)}q", *values))
               for name, (shape, values) in tensors.items()]
    with open(path, "wb") as f:
        f.write(safetensors.pack(entries, metadata))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("text")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--batch", type=int, required=True, help="rows per batch (B)")
    ap.add_argument("--seq", type=int, required=True, help="characters per chunk (S)")
    ap.add_argument("--batches", type=int, help="at most this many batches (N)")
    args = ap.parse_args()
    with open(args.text, encoding="utf-8") as f:
        ids = encode(f.read())
    x, y, rows = chunks(ids, args.batch, args.seq, args.batches)
    n = len(x)
    write_ids(args.output, {"x": ([n, args.batch, args.seq], flatten(x)),
                                    "y": ([n, args.batch * args.seq], flatten(y))},
                      {"vocab": VOCAB, "rows": str(rows)})
    print(f"{args.text}: {len(ids)} characters, vocabulary {V}; {args.batch} rows of {rows}; "
          f"{n} batches of x [{args.batch}, {args.seq}] and y [{args.batch * args.seq}]")
    print(f"batch 0, row 0: {decode(x[0][0])!r} -> {decode(y[0][:args.seq])!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
