// libFuzzer target for the text pipeline. Byte 0 picks the options (bit 0 stream, bit 1 --bytes,
// bits 2-4 context length - 1, bits 5-7 split seed); the rest is the corpus. A corpus that loads
// must round-trip its vocabulary, and every sampled id must lie in [-1, V). The same bytes are also
// tried as checkpoint vocabulary metadata and as a prompt.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_target.h"
#include "core/error.h"
#include "data/corpus.h"
#include "data/text_sampler.h"

using namespace genlab;
using namespace genlab::data;

static void check_ids(const Tensor& t, int vocab) {
    for (size_t i = 0; i < t.numel(); ++i)
        if (!(t[i] >= -1.f && t[i] < static_cast<float>(vocab))) __builtin_trap();
}

static void exercise(const Corpus& c, CorpusSplit split, int context) {
    try {
        TextSampler s(c, split, context, 7);
        const int v = c.vocab.size();
        Tensor x(Shape{3, context}), y(Shape{3, context}), xc(Shape{3, context}), yc(Shape{3});
        s.next_blocks(x, y);
        check_ids(x, v);
        check_ids(y, v);
        s.next_contexts(xc, yc);
        check_ids(xc, v);
        check_ids(yc, v);
        s.blocks_at(s.num_blocks() - 1, x, y);
        check_ids(y, v);
        s.contexts_at(s.num_contexts() - 1, xc, yc);
        check_ids(yc, v);
    } catch (const Error&) {
    }
}

GENLAB_FUZZ_TARGET(corpus) {
    if (size == 0) return 0;
    const uint8_t flags = data[0];
    const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
    CorpusOptions opt;
    opt.mode = flags & 1 ? CorpusMode::Stream : CorpusMode::Lines;
    opt.bytes = (flags & 2) != 0;
    opt.split_seed = flags >> 5;
    const int context = 1 + ((flags >> 2) & 7);
    try {
        Corpus c = build_corpus(text, opt, "fuzz-input");
        if (!(Vocab::from_string(c.vocab.to_string(), "fuzz") == c.vocab)) __builtin_trap();
        // Decoding the training ids and encoding the text again gives the same ids (end tokens aside).
        std::vector<int> ids;
        for (int id : c.train.ids.to_vector())
            if (id != c.vocab.eos_id()) ids.push_back(id);
        if (c.vocab.encode(c.vocab.decode(ids), "fuzz") != ids) __builtin_trap();
        exercise(c, CorpusSplit::Train, context);
        exercise(c, CorpusSplit::Val, context);
        c.vocab.unseen(text, "prompt");
    } catch (const Error&) {
    }
    try {
        Vocab v = Vocab::from_string(text, "fuzz");
        v.encode(text, "prompt");
    } catch (const Error&) {
    }
    return 0;
}
