// A request to end training early and cleanly: at the next step boundary the trainer saves a
// checkpoint and throws Interrupted, so that the run resumes from that step. A signal handler
// may make the request (one lock-free atomic store, async-signal-safe). genlab-ablate's `task`
// makes SIGUSR1 and SIGTERM requests: the signals a cluster scheduler sends before a time limit
// (SLURM's --signal) and when it cancels or preempts a job.
//
//     stop_on_signals({SIGUSR1, SIGTERM});
//     try {
//         trainer.run(step);
//     } catch (const Interrupted& e) {
//         // e.step: the checkpoint's step; the same command again resumes from it
//     }
#pragma once
#include <initializer_list>

#include "core/error.h"

namespace genlab {

void request_stop();
bool stop_requested();
void clear_stop_request();  // tests; a process that trains again after an interruption

// Each of `signals` requests a stop instead of its default action (ending the process).
void stop_on_signals(std::initializer_list<int> signals);

// Thrown by Trainer::run after a requested stop, once the step's checkpoint is saved.
class Interrupted : public Error {
public:
    Interrupted(const std::string& message, int step) : Error(message), step(step) {}
    int step;  // the steps done, which the checkpoint holds
};

}  // namespace genlab
