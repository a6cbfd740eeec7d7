// OutputDir under attack: folders a user made beside the output, kills at every step of the
// commit, runs in other PID namespaces, Ctrl-C, full disks, and stdout on a full device.
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "lessons/runtime/lesson_runtime.hpp"
#include "tests/lessons/program_runner.hpp"

namespace fs = std::filesystem;
using gradflow::lessons::OutputDir;
using gradflow::testing::run_program;
using gradflow::testing::slurp;

namespace {

struct Scratch {
  fs::path path;
  explicit Scratch(std::string_view tag)
      : path(fs::temp_directory_path() / fmt::format("gradflow-test-outdir-{}-{}", tag, ::getpid())) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
}

// Everything in `dir` except `keep`, by name.
std::vector<std::string> others(const fs::path& dir, const fs::path& keep) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path() != keep) names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// A committed result whose index.html says `text`.
void commit_result(const fs::path& out, const std::string& text) {
  OutputDir dir(out);
  dir.write_text("index.html", text);
  dir.commit();
}

// A run killed with SIGKILL half-way: its staging folder stays behind, marked and unlocked.
fs::path leave_killed_run(const fs::path& out) {
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    OutputDir dir(out);
    dir.write_text("index.html", "half");
    const std::string staging = dir.staging_path().string();
    if (::write(pipe_fds[1], staging.data(), staging.size()) < 0) ::_exit(1);
    ::close(pipe_fds[1]);
    ::pause();  // until killed
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  std::string staging;
  char buffer[4096];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) staging.append(buffer, static_cast<size_t>(n));
  ::close(pipe_fds[0]);
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  REQUIRE(fs::is_directory(staging));
  return staging;
}

}  // namespace

TEST_CASE("OutputDir removes only what gradflow marked, and nothing before the run succeeds",
          "[runtime][output][robust]") {
  Scratch tmp("marker");
  const fs::path out = tmp.path / "results";
  // A user's own folders that look like our siblings by name.
  write(tmp.path / "results.old-2024" / "fig1.txt", "thesis");
  write(tmp.path / "results.partial-7" / "notes.txt", "notes");
  // ... one with a marker file the user made (empty: gradflow writes its own text in it).
  write(tmp.path / "results.old-9" / "data.csv", "1,2");
  write(tmp.path / "results.old-9" / ".gradflow-output", "");
  commit_result(out, "first");
  const fs::path leftover = leave_killed_run(out);  // a real gradflow leftover

  {
    OutputDir failing(out);
    failing.write_text("index.html", "never committed");
    // Nothing of anyone else's is removed before commit, not even gradflow's own leftover.
    CHECK(fs::exists(leftover));
  }  // the run fails: only its own staging folder goes
  CHECK(fs::exists(leftover));
  CHECK(slurp(out / "index.html") == "first");

  commit_result(out, "second");
  CHECK(slurp(out / "index.html") == "second");
  CHECK_FALSE(fs::exists(leftover));  // gradflow's, and its run has ended: removed after the commit
  CHECK(slurp(tmp.path / "results.old-2024" / "fig1.txt") == "thesis");
  CHECK(slurp(tmp.path / "results.partial-7" / "notes.txt") == "notes");
  CHECK(slurp(tmp.path / "results.old-9" / "data.csv") == "1,2");
  CHECK(others(tmp.path, out) == std::vector<std::string>{"results.old-2024", "results.old-9", "results.partial-7"});
}

TEST_CASE("A lesson that fails on its data leaves a user's folder beside --out alone", "[runtime][output][robust]") {
  // The reproduction from issue 8, item 1, with the real program.
  Scratch tmp("issue8-1");
  write(tmp.path / "p" / "results.old-2024" / "fig1.txt", "thesis");
  const auto run = run_program("lesson05_vanishing_gradients",
                               fmt::format("--out '{}' --data /nonexistent", (tmp.path / "p" / "results").string()));
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.err, Catch::Contains("/nonexistent"));
  CHECK(slurp(tmp.path / "p" / "results.old-2024" / "fig1.txt") == "thesis");
  CHECK(others(tmp.path / "p", {}) == std::vector<std::string>{"results.old-2024"});
}

TEST_CASE("A kill at any step of commit leaves one complete result, and the next run recovers it",
          "[runtime][output][robust]") {
  for (const bool exchange : {true, false}) {
    for (int step = 1; step <= 4; ++step) {
      DYNAMIC_SECTION((exchange ? "RENAME_EXCHANGE" : "two renames") << ", killed after step " << step) {
        Scratch tmp(fmt::format("kill-{}-{}", exchange, step));
        const fs::path out = tmp.path / "results";
        commit_result(out, "old");

        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
          ::setenv(std::string(OutputDir::kExitInCommitVariable).c_str(), std::to_string(step).c_str(), 1);
          if (!exchange) ::setenv(std::string(OutputDir::kNoExchangeVariable).c_str(), "1", 1);
          try {
            OutputDir dir(out);
            dir.write_text("index.html", "new");
            dir.write_text("figures/a.txt", "a");
            dir.commit();
          } catch (...) {
            ::_exit(1);
          }
          ::_exit(0);  // the step was never reached: the commit finished
        }
        int status = 0;
        ::waitpid(child, &status, 0);
        REQUIRE(WIFEXITED(status));
        const int code = WEXITSTATUS(status);
        REQUIRE((code == 86 || code == 0));
        INFO("child exit code " << code
                                << "; beside <out>: " << fmt::format("{}", fmt::join(others(tmp.path, out), ", ")));

        // Right after the kill: <out> is complete (old or new), or it is missing and a complete
        // folder waits beside it (only between the two renames of the fallback).
        if (fs::exists(out)) {
          const std::string text = slurp(out / "index.html");
          CHECK((text == "old" || text == "new"));
          if (text == "new") CHECK(slurp(out / "figures" / "a.txt") == "a");
        } else {
          CHECK((!exchange && step == 2));
        }

        // The next run restores a missing result before anything else...
        std::string expected = step == 1 ? "old" : "new";
        {
          OutputDir next(out);
          REQUIRE(fs::exists(out / "index.html"));
          CHECK(slurp(out / "index.html") == expected);
          next.write_text("index.html", "next");
          next.commit();
        }
        // ... and its commit leaves exactly one folder.
        CHECK(slurp(out / "index.html") == "next");
        CHECK(others(tmp.path, out).empty());
      }
    }
  }
}

TEST_CASE("A run's staging folder is protected by its lock, not by its process number", "[runtime][output][robust]") {
  Scratch tmp("lock");
  const fs::path out = tmp.path / "results";
  const fs::path ready = tmp.path / "ready";
  const fs::path release = tmp.path / "release";
  // The second process: in a PID namespace of its own when possible (as in a container sharing
  // the folder), with a process number that this namespace does not have, so judging liveness
  // by /proc would call it dead.
  const char* self = "/proc/self/exe";
  const std::string exe = fs::read_symlink(self).string();
  ::setenv("GRADFLOW_HOLD_OUT", out.c_str(), 1);
  ::setenv("GRADFLOW_HOLD_READY", ready.c_str(), 1);
  ::setenv("GRADFLOW_HOLD_RELEASE", release.c_str(), 1);
  const std::string helper =
      fmt::format("\"{}\" \"OutputDir helper - hold a staging folder until released\" >/dev/null 2>&1", exe);
  int unused_pid = 0;
  for (int candidate = 3'000'000; candidate > 100'000; candidate -= 7919) {
    if (!fs::exists(fs::path("/proc") / std::to_string(candidate))) {
      unused_pid = candidate;
      break;
    }
  }
  const bool have_namespaces =
      unused_pid != 0 && std::system("unshare --pid --fork --mount-proc true 2>/dev/null") == 0;
  const std::string command =
      have_namespaces
          ? fmt::format("unshare --pid --fork --mount-proc sh -c 'echo {} > /proc/sys/kernel/ns_last_pid; {}; true' &",
                        unused_pid - 1, helper)
          : helper + " &";
  if (!have_namespaces) WARN("unshare --pid is not available here: both processes share one PID namespace");
  REQUIRE(std::system(command.c_str()) == 0);
  for (int i = 0; i < 1000 && !fs::exists(ready); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(fs::exists(ready));
  const fs::path held = slurp(ready);
  REQUIRE(fs::is_directory(held));

  commit_result(out, "mine");     // another run commits and tidies up beside it
  CHECK(fs::is_directory(held));  // the other run is alive: its work in progress is untouched
  CHECK(slurp(held / "index.html") == "in progress");

  write(release, "go");  // the helper now dies without cleaning up (like SIGKILL)
  for (int i = 0; i < 1000 && fs::exists(release); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  REQUIRE(fs::is_directory(held));
  commit_result(out, "again");
  CHECK_FALSE(fs::exists(held));  // its lock is free: the leftover goes
  CHECK(others(tmp.path, out) == std::vector<std::string>{"ready"});
}

// Not run by default ([.]): the other process of the test above.
TEST_CASE("OutputDir helper - hold a staging folder until released", "[.][helper]") {
  const char* out = std::getenv("GRADFLOW_HOLD_OUT");
  const char* ready = std::getenv("GRADFLOW_HOLD_READY");
  const char* release = std::getenv("GRADFLOW_HOLD_RELEASE");
  REQUIRE(out != nullptr);
  REQUIRE(ready != nullptr);
  REQUIRE(release != nullptr);
  OutputDir dir(out);
  dir.write_text("index.html", "in progress");
  write(fs::path(ready).string() + ".tmp", dir.staging_path().string());
  fs::rename(fs::path(ready).string() + ".tmp", ready);
  for (int i = 0; i < 6000 && !fs::exists(release); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  fs::remove(release);
  ::_exit(0);  // no destructors: the staging folder is left behind, unlocked
}

TEST_CASE("Ctrl-C and SIGTERM remove the staging folder, say so and exit 130 and 143; SIGPIPE quietly, 141",
          "[runtime][output][robust]") {
  for (const int signal_number : {SIGINT, SIGTERM, SIGPIPE}) {
    Scratch tmp(fmt::format("signal-{}", signal_number));
    const fs::path out = tmp.path / "results";
    commit_result(out, "old");
    const fs::path log = tmp.path / "stderr.txt";
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, STDERR_FILENO);
      OutputDir dir(out);
      dir.write_text("index.html", "half");
      dir.write_text("figures/deep/a.txt", "a");
      const std::string staging = dir.staging_path().string();
      if (::write(pipe_fds[1], staging.data(), staging.size()) < 0) ::_exit(1);
      ::close(pipe_fds[1]);
      for (;;) ::pause();
    }
    ::close(pipe_fds[1]);
    std::string staging;
    char buffer[4096];
    for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;)
      staging.append(buffer, static_cast<size_t>(n));
    ::close(pipe_fds[0]);
    REQUIRE(fs::is_directory(staging));
    ::kill(child, signal_number);
    int status = 0;
    ::waitpid(child, &status, 0);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 128 + signal_number);
    CHECK_FALSE(fs::exists(staging));
    CHECK(slurp(out / "index.html") == "old");
    CHECK(others(tmp.path, out) == std::vector<std::string>{"stderr.txt"});
    const std::string message = slurp(log);
    if (signal_number == SIGPIPE) {
      CHECK(message.empty());  // `lesson | head`: quiet, as every Unix program is
    } else {
      CHECK_THAT(message, Catch::Contains(signal_number == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)") &&
                              Catch::Contains(staging));
    }
  }
}

TEST_CASE("A full disk is reported as 'No space left on device' and keeps the old result",
          "[runtime][output][robust]") {
  // A 64 kB tmpfs in a mount namespace of a child process (needs root or user namespaces).
  Scratch tmp("enospc");
  const fs::path mount_point = tmp.path / "small";
  fs::create_directories(mount_point);
  const fs::path report = tmp.path / "report.txt";
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        ::mount("tmpfs", mount_point.c_str(), "tmpfs", 0, "size=64k") != 0) {
      ::_exit(77);
    }
    std::string result;
    try {
      commit_result(mount_point / "results", "old");
      OutputDir dir(mount_point / "results");
      dir.write_text("big.bin", std::string(1 << 20, 'x'));
      result = "no error";
    } catch (const std::exception& e) {
      result = e.what();
    }
    std::ifstream in(mount_point / "results" / "index.html");
    std::string old;
    std::getline(in, old);
    std::ofstream(report) << result << "\n" << old << "\n";
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  REQUIRE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77) {
    WARN("cannot mount a small tmpfs here; the /dev/full test of write_all still covers the message");
    return;
  }
  const std::string text = slurp(report);
  CHECK_THAT(text, Catch::Contains("big.bin") && Catch::Contains("No space left on device"));
  CHECK_THAT(text, Catch::EndsWith("\nold\n"));
}

TEST_CASE("Every lesson fails clearly when stdout is a full device", "[runtime][robust]") {
  for (const std::string program : {"lesson01_computation_graph", "lesson05_vanishing_gradients"}) {
    Scratch tmp("devfull-" + program);
    std::string args = fmt::format("--out '{}'", (tmp.path / "out").string());
    if (program.starts_with("lesson05")) {
      args += fmt::format(" --quick --seeds 1 --data '{}/tests/fixtures/mnist'", GRADFLOW_SOURCE_DIR);
    }
    const fs::path err = tmp.path / "stderr.txt";
    const std::string command =
        fmt::format("'{}/bin/{}' {} >/dev/full 2>'{}'", GRADFLOW_BINARY_DIR, program, args, err.string());
    const int status = std::system(command.c_str());
    INFO(program << ": " << slurp(err));
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 1);
    CHECK_THAT(slurp(err), Catch::Contains("cannot write to standard output: No space left on device"));
  }
}
