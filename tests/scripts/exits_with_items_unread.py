"""The script puts an item bigger than a pipe holds on a queue nobody reads, and ends:
its own exit waits for ever for the item to go into the pipe."""

import multiprocessing

if __name__ == "__main__":
    Q = multiprocessing.Queue()
    Q.put("x" * 1_000_000)
    print("put; ending", flush=True)
