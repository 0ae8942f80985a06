// What gemm.cc shares with the addon's other kernels (ops.cc): its second thread and its lock.
#pragma once
#include <chrono>
#include <functional>
#include <thread>
#include <mutex>
#include <node_api.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

/** A spin-wait's pause (gemm.cc's and ops.cc's): lets the sibling hyperthread (x86) or core (arm) run meanwhile. */
inline void cpuRelax() {
#if defined(__x86_64__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

/**
 * fn(i) for i < count on both threads (blocks taken from a shared counter, so a descheduled
 * second thread costs at most the block it holds), returning when all are done; one thread where
 * configure() asked for one or count is 1. Call it holding vaeLabMutex().
 */
void vaeLabParallel(int count, const std::function<void(int)>& fn);

/** 1 or 2, as configure() set it. */
int vaeLabThreads();

/**
 * Hands `job` to the second thread and returns at once; a job posted while the thread is busy
 * replaces any not yet started (so a job must not count on running: ops.cc's callers do every
 * block themselves that the second thread has not finished).
 */
void vaeLabPost(std::function<void()> job);

/** Tests: how long the second thread sleeps on each block it takes (configure's 3rd argument). */
int vaeLabStallUs();

/** Counts a block the first thread took over from a late second one (takeovers()). */
void vaeLabTookOver();

/** One kernel at a time across the addon (Node worker threads may share it). */
std::mutex& vaeLabMutex();

/** Adds ops.cc's functions to the addon's exports. */
void vaeLabRegisterOps(napi_env env, napi_value exports);
