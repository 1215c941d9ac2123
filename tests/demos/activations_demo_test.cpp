// End-to-end smoke test of genlab-activations: it runs the built binary, decodes the PNG it
// wrote, checks the CSV's autodiff derivative against the registry's scalar df, runs --table, and
// checks that bad flags exit with status 2 and one line on stderr.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/activations.h"

#include "tests/stb_image_impl.h"
#include "tests/test_util.h"

namespace genlab {
namespace {

namespace fs = std::filesystem;

class ActivationsDemo : public testing::ProgramTest {
protected:
    ActivationsDemo() : ProgramTest("genlab-activations") {}
};

struct Row {
    double x, y, dy;
};

// CSV rows grouped by activation, in file order.
std::map<std::string, std::vector<Row>> read_csv(const std::string& text, std::string* header) {
    std::map<std::string, std::vector<Row>> rows;
    std::istringstream in(text);
    std::string line;
    std::getline(in, *header);
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string name, x, y, dy;
        std::getline(ls, name, ',');
        std::getline(ls, x, ',');
        std::getline(ls, y, ',');
        std::getline(ls, dy, ',');
        rows[name].push_back({std::stod(x), std::stod(y), std::stod(dy)});
    }
    return rows;
}

TEST_F(ActivationsDemo, WritesPicturesConfigAndAutodiffCsv) {
    const std::vector<std::string> specs = {"relu", "tanh", "gelu", "leaky_relu:0.2", "swish_learned", "elu:0.5"};
    std::string list;
    for (const std::string& s : specs) list += (list.empty() ? "" : ",") + s;
    const int points = 101;
    ASSERT_EQ(run("--acts " + list + " --range -4:4 --points " + std::to_string(points) + " --out '" + path("out") +
                  "' --csv '" + path("acts.csv") + "'"),
              0)
        << read("stderr.txt");

    int w = 0, h = 0, c = 0;
    unsigned char* png = stbi_load(path("out/activations.png").c_str(), &w, &h, &c, 3);
    ASSERT_NE(png, nullptr) << "activations.png does not decode";
    EXPECT_GT(w, 500);
    EXPECT_GT(h, 200);
    stbi_image_free(png);
    const std::string svg = read("out/activations.svg");
    for (const std::string& s : specs) EXPECT_NE(svg.find(">" + s + "</text>"), std::string::npos) << s;
    size_t polylines = 0;
    for (size_t at = svg.find("<polyline"); at != std::string::npos; at = svg.find("<polyline", at + 1)) ++polylines;
    EXPECT_GE(polylines, 2 * specs.size());  // f and f' per panel
    const std::string config = read("out/config.json");
    EXPECT_NE(config.find("\"points\": 101"), std::string::npos) << config;
    EXPECT_NE(config.find("leaky_relu:0.2"), std::string::npos);

    std::string header;
    const auto rows = read_csv(read("acts.csv"), &header);
    EXPECT_EQ(header, "activation,x,y,dy");
    ASSERT_EQ(rows.size(), specs.size());
    for (const std::string& s : specs) {
        ASSERT_TRUE(rows.count(s)) << s;
        const std::vector<Row>& r = rows.at(s);
        ASSERT_EQ(r.size(), static_cast<size_t>(points)) << s;
        EXPECT_DOUBLE_EQ(r.front().x, -4.0);
        EXPECT_DOUBLE_EQ(r.back().x, 4.0);
        const Activation act = parse_activation(s);
        double worst = 0.0;
        for (const Row& row : r) {
            const float x = static_cast<float>(row.x);
            EXPECT_NEAR(row.y, act.f(x), 1e-6 * std::max(1.0, std::abs(row.y))) << s << " f(" << x << ")";
            worst = std::max(worst, std::abs(row.dy - act.df(x)));
        }
        EXPECT_LT(worst, 1e-5) << s << ": autodiff dy differs from the registry's df";
    }
}

TEST_F(ActivationsDemo, DefaultRunDrawsEveryElementwiseActivation) {
    ASSERT_EQ(run("--points 50 --out '" + path("all") + "'"), 0) << read("stderr.txt");
    const std::string svg = read("all/activations.svg");
    for (const ActivationDef& d : activation_table()) {
        const bool drawn = svg.find(">" + d.name + "</text>") != std::string::npos;
        EXPECT_EQ(drawn, d.elementwise) << d.name;
    }
    EXPECT_NE(read("stderr.txt").find("softmax"), std::string::npos);  // the note about skipping it
}

TEST_F(ActivationsDemo, TableDescribesRangesAndSmoothness) {
    ASSERT_EQ(run("--acts relu,sigmoid,tanh,elu --points 20 --table --out '" + path("t") + "'"), 0)
        << read("stderr.txt");
    const std::string md = read("t/table.md");
    EXPECT_NE(md.find("| relu | [0, inf) | no | yes | no | left | 0 | 1.00 |"), std::string::npos) << md;
    EXPECT_NE(md.find("| sigmoid | (0, 1) | no | yes | yes | both | 0.25 |"), std::string::npos) << md;
    EXPECT_NE(md.find("| tanh | (-1, 1) | yes | yes | yes | both | 1 |"), std::string::npos) << md;
    EXPECT_NE(md.find("| elu | (-1, inf) | yes | yes | yes | left | 1 |"), std::string::npos) << md;
    EXPECT_NE(read("stdout.txt").find("| sigmoid |"), std::string::npos);
    const std::string csv = read("t/table.csv");
    EXPECT_EQ(csv.rfind("activation,range,zero_centred,monotonic,smooth,saturates,df0,ns_per_element,relative_cost\n",
                        0),
              0u);
    EXPECT_NE(csv.find("relu,\"[0, inf)\",no,yes,no,left,0,"), std::string::npos) << csv;
}

TEST_F(ActivationsDemo, BadFlagsExitWithStatusTwoAndOneLine) {
    const std::vector<std::string> bad = {
        "--range 6:-6", "--range abc",    "--range 1:x",       "--points 1",     "--points abc",
        "--acts nope",  "--acts softmax", "--acts relu,,gelu", "--no-such-flag", "--acts leaky_relu:abc"};
    for (const std::string& args : bad) {
        EXPECT_EQ(run(args + " --out '" + path("bad") + "'"), 2) << args;
        const std::string err = read("stderr.txt");
        EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << args << ": " << err;
        EXPECT_EQ(err.rfind("genlab-activations: ", 0), 0u) << err;
    }
    EXPECT_FALSE(fs::exists(path("bad/activations.png")));
}

// --out follows a training run's rule: a new or empty folder, or with --force an earlier output of
// genlab-activations; a folder of the user's own files is never written into.
TEST_F(ActivationsDemo, WritesOnlyIntoANewFolderOrOverItsOwnOutput) {
    fs::create_directories(path("mine"));
    std::ofstream(path("mine/config.json")) << "{\"mine\": true}\n";
    std::ofstream(path("mine/table.md")) << "my notes\n";
    EXPECT_EQ(run("--acts relu --points 5 --table --out '" + path("mine") + "'"), 2);
    const std::string err = read("stderr.txt");
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
    EXPECT_EQ(read("mine/config.json"), "{\"mine\": true}\n");
    EXPECT_EQ(read("mine/table.md"), "my notes\n");
    EXPECT_FALSE(fs::exists(path("mine/activations.png")));

    ASSERT_EQ(run("--acts relu --points 5 --out '" + path("out") + "'"), 0) << read("stderr.txt");
    EXPECT_EQ(run("--acts relu --points 5 --out '" + path("out") + "'"), 2) << "an earlier output needs --force";
    EXPECT_NE(read("stderr.txt").find("--force"), std::string::npos) << read("stderr.txt");
    EXPECT_EQ(run("--acts tanh --points 5 --force --out '" + path("out") + "'"), 0) << read("stderr.txt");
    EXPECT_NE(read("out/config.json").find("tanh"), std::string::npos);
}

TEST_F(ActivationsDemo, CsvWritesOnlyANewFileOrOverItsOwnCsv) {
    std::ofstream(path("mine.csv")) << "a,b\n1,2\n";
    EXPECT_EQ(run("--acts relu --points 5 --out '" + path("o1") + "' --csv '" + path("mine.csv") + "'"), 2);
    EXPECT_EQ(read("mine.csv"), "a,b\n1,2\n");
    EXPECT_FALSE(fs::exists(path("o1"))) << "refused before anything is written";
    ASSERT_EQ(run("--acts relu --points 5 --out '" + path("o2") + "' --csv '" + path("new.csv") + "'"), 0)
        << read("stderr.txt");
    EXPECT_EQ(run("--acts relu --points 5 --out '" + path("o3") + "' --csv '" + path("new.csv") + "'"), 2);
    EXPECT_EQ(run("--acts relu --points 5 --force --out '" + path("o4") + "' --csv '" + path("new.csv") + "'"), 0)
        << read("stderr.txt");
}

TEST_F(ActivationsDemo, UnwritableOutputIsARuntimeError) {
    std::ofstream(path("file")) << "in the way";
    EXPECT_EQ(run("--acts relu --out '" + path("file") + "/sub'"), 1);
    EXPECT_NE(read("stderr.txt").find(path("file") + "/sub"), std::string::npos) << read("stderr.txt");
}

}  // namespace
}  // namespace genlab
