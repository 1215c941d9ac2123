// libFuzzer target for the run-config parser: arbitrary text as a checkpoint's "config" metadata
// (config.json's content), read for every experiment as load_run reads it (JSON, then the
// experiment's spec with validation), then turned into a memory estimate as `sample` does before
// building the model. Anything but a genlab::Error is a bug: a crash, a hang, UB in the
// estimate's arithmetic, an exception of another type.
#include <cstddef>
#include <cstdint>
#include <string>

#include "tests/fuzz/fuzz_target.h"
#include "core/error.h"
#include "core/io/json_text.h"
#include "experiments/experiment.h"
#include "experiments/runner.h"

using namespace genlab;
using namespace genlab::experiments;

GENLAB_FUZZ_TARGET(run_config) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    for (const ExperimentDef* def : genlab::experiments::experiments()) {
        try {
            const StoredConfig s = parse_stored_config(text, *def, "fuzz.safetensors");
            const MemoryEstimate m = def->memory(*s.box);
            (void)m.training_bytes();
            (void)m.inference_bytes();
            (void)def->quality(*s.box);
            (void)json_text(s.box->to_json());
        } catch (const Error&) {
        }
    }
    return 0;
}
