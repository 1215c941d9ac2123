// outputs/index.html: the page ./genlab.sh demo opens at the end. It shows every folder it is
// given, recognised by what the folder holds:
//   a training run (config.json of an experiment)  title from its config, its pictures with
//                                                   captions, metrics.json as a table, samples.txt
//   genlab-activations output (table.csv)           the f / f' figure and the properties table
//   a sweep (ablation.json)                         the ranking table, the claims, a link to report.html
// Pictures are linked relative to the page, so the page and outputs/ move together.
//
//     write_demo_page("outputs/index.html", {"outputs/gan/20261130-101500", "outputs/ablate/20261130-101500"});
#pragma once
#include <string>
#include <vector>

namespace genlab::experiments {

// Error naming a folder that is none of the above (or unreadable); the page is written atomically.
void write_demo_page(const std::string& path, const std::vector<std::string>& dirs);

}  // namespace genlab::experiments
