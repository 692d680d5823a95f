"""A worker process of `ingest`: reads paths on stdin, answers parsed files on stdout (pickle).

Started by pipelines.ingest.workers.parse_ahead; the first message is the village register and
the number of files in the run, then a list of paths per chunk of files, answered in order
with ("ok", workers.parse_chunk's answer) or ("error", traceback text).
"""

from __future__ import annotations

import gc
import pickle
import sys
import traceback


def main() -> None:
    from pipelines.ingest import workers

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    register, files = pickle.load(stdin)
    workers.size_caches(register, files)
    # What was imported and loaded so far lives as long as the worker: kept out of the cyclic
    # garbage collector's full passes, which otherwise rescan it over and over (5 % of a run).
    # So is what survives each chunk (the parse caches, sized to the run): collected once,
    # then frozen, so a full pass never rescans them (it cost a sixth of the workers' time at
    # 3,000 villages, and grew with the province).
    gc.freeze()
    while True:
        try:
            paths = pickle.load(stdin)
        except EOFError:
            return
        try:
            answer = ("ok", workers.parse_chunk(paths, register))
        except Exception:  # a bug: the writer stops with this traceback
            answer = ("error", traceback.format_exc())
        pickle.dump(answer, stdout, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.flush()
        del answer
        gc.collect()  # this chunk's cyclic garbage, then what lives on out of the next passes
        gc.freeze()


if __name__ == "__main__":
    main()
