"""A worker process of `ingest`: reads paths on stdin, answers parsed files on stdout (pickle).

Started by pipelines.ingest._parse_ahead; the first message is the village register, then
one path per file, answered in order with ("ok", _Job) or ("error", traceback text).
"""

from __future__ import annotations

import pickle
import sys
import traceback


def main() -> None:
    from pipelines import ingest

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    register = pickle.load(stdin)
    while True:
        try:
            path = pickle.load(stdin)
        except EOFError:
            return
        try:
            answer = ("ok", ingest._worker_parse(path, register))
        except Exception:       # a bug: the writer stops with this traceback
            answer = ("error", traceback.format_exc())
        pickle.dump(answer, stdout, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.flush()


if __name__ == "__main__":
    main()
