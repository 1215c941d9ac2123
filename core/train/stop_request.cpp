// A stop requested from anywhere, signal handlers included (see stop_request.h).
#include "core/train/stop_request.h"

#include <atomic>
#include <csignal>

namespace genlab {

namespace {

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "a signal handler may only touch lock-free atomics");

extern "C" void on_stop_signal(int) { g_stop.store(true, std::memory_order_relaxed); }

}  // namespace

void request_stop() { g_stop.store(true, std::memory_order_relaxed); }
bool stop_requested() { return g_stop.load(std::memory_order_relaxed); }
void clear_stop_request() { g_stop.store(false, std::memory_order_relaxed); }

void stop_on_signals(std::initializer_list<int> signals) {
    struct sigaction sa = {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;  // a read or write in progress goes on; the step boundary stops
    for (int s : signals)
        if (sigaction(s, &sa, nullptr) != 0) throw Error("cannot install the handler of signal " + std::to_string(s));
}

}  // namespace genlab
