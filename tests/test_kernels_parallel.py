"""The thread pool that runs the numba kernels (infotheory._kernels.parallel)."""

import threading
import time

import pytest

from infotheory._kernels import parallel


@pytest.mark.parametrize(("n_jobs", "tasks"), [(1, 3), (2, 3), (2, 1), (None, 5), (-1, 4)])
def test_run_calls_every_task_once_and_at_most_n_jobs_at_once(n_jobs, tasks):
    calls, active, peak = [], [0], [0]
    lock = threading.Lock()

    def kernel(out, t, T):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        out.append((t, T))
        time.sleep(0.02)  # long enough for the calls to overlap when they may
        with lock:
            active[0] -= 1

    with parallel.threads(n_jobs):
        parallel.run(kernel, calls, tasks=tasks)
    assert sorted(calls) == [(t, tasks) for t in range(tasks)]
    assert 1 <= peak[0] <= min(tasks, parallel.n_threads(n_jobs))


def test_threads_restores_and_small_work_runs_on_one_thread():
    before = parallel.current_threads()
    with parallel.threads(None, work=10.0):
        assert parallel.current_threads() == 1
        with parallel.threads(-1):
            assert parallel.current_threads() == parallel.n_threads(-1)
        assert parallel.current_threads() == 1
    assert parallel.current_threads() == before


def test_run_raises_the_kernels_error():
    def kernel(t, T):
        if t == 1:
            raise RuntimeError("task 1 failed")

    with parallel.threads(2), pytest.raises(RuntimeError, match="task 1 failed"):
        parallel.run(kernel, tasks=2)
