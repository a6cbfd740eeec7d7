#pragma once
// The output folder of a lesson, written all-or-nothing.
//
// A lesson never writes into `--out` directly. It writes into a sibling staging folder
// `<out>.partial-<token>` and, once everything is written, commit() swaps that folder into place.
// If the program fails half-way (an exception, a failed render, Ctrl-C), the staging folder is
// deleted: `<out>` then still holds the previous complete result, or nothing, but never a
// half-written one that looks complete.
//
//   OutputDir out(options.out);               // fails at once if <out> cannot be written
//   out.write_text("index.html", page.str());
//   render(dot, out.path("graph.svg"), ...);  // any file, any writer
//   out.commit();                             // <out> now holds exactly these files
//
// What it may remove. Only folders that carry gradflow's own marker file (`.gradflow-output`,
// with the text gradflow writes into it) are ever replaced or deleted: `--out .` or `--out ~`
// cannot wipe your files, and a `results.old-2024` you made beside `results` is left alone.
// Nothing at all is deleted before commit(), so a run that fails (bad data, a typo) removes
// nothing but its own staging folder.
//
// Who is still running. Each staging folder holds a lock file that its run keeps locked
// (flock) until it exits, however it exits; the kernel drops the lock of a killed process. A
// leftover is removed only when its lock can be taken, so runs in different PID namespaces
// (containers sharing a folder) never delete each other's work in progress.
//
// A kill at any moment leaves one complete result. commit() marks the staging folder complete,
// then swaps it with <out> in one step (renameat2 RENAME_EXCHANGE). Where the file system cannot
// exchange, it renames <out> aside to `<out>.old-<token>` and the staging folder into place; a
// kill between those two renames leaves no <out> but two complete folders, and the next
// OutputDir for <out> restores the newest complete one before doing anything else.

#include <filesystem>
#include <optional>
#include <string_view>

#include "support/interrupt.hpp"

namespace gradflow::lessons {

class OutputDir {
 public:
  // Creates the staging folder (and the parents of `final_path`). Throws std::runtime_error
  // naming the path when that is impossible or `final_path` is not ours to replace.
  explicit OutputDir(std::filesystem::path final_path);
  ~OutputDir();  // removes the staging folder unless commit() succeeded
  OutputDir(const OutputDir&) = delete;
  OutputDir& operator=(const OutputDir&) = delete;

  // The path of `name` inside the staging folder, e.g. path("figures/loss.svg"); creates the
  // subfolders. `name` must be relative and stay inside the folder.
  [[nodiscard]] std::filesystem::path path(std::string_view name) const;
  // Writes `content` to path(name) atomically; throws naming the file and the cause (e.g.
  // "No space left on device") if that fails.
  void write_text(std::string_view name, std::string_view content) const;

  // Replaces <out> with the staged files (see above), then removes leftovers of earlier runs
  // that carry the marker and whose run has ended. Call once, after the last file is written.
  void commit();

  [[nodiscard]] const std::filesystem::path& final_path() const { return final_; }
  [[nodiscard]] const std::filesystem::path& staging_path() const { return staging_; }
  [[nodiscard]] bool committed() const { return committed_; }

  // The marker file every lesson output folder carries, and the first line gradflow writes in it.
  static constexpr std::string_view kMarker = ".gradflow-output";
  static constexpr std::string_view kMarkerText =
      "This folder was written by a gradflow lesson. The next run replaces it as a whole.";
  // The lock file a running lesson holds in its folder, and the file that marks it complete.
  static constexpr std::string_view kLock = ".gradflow-lock";
  static constexpr std::string_view kComplete = ".gradflow-complete";

  // Test hook: with GRADFLOW_TEST_EXIT_IN_COMMIT=k in the environment, commit() calls _exit(86)
  // right after its step k (1: marked complete, 2: first rename, 3: second rename or removal of
  // the old result, 4: removal of the old result after two renames), like a kill at that moment.
  // GRADFLOW_TEST_NO_RENAME_EXCHANGE=1 takes the two-rename path a file system without
  // RENAME_EXCHANGE would take.
  static constexpr std::string_view kExitInCommitVariable = "GRADFLOW_TEST_EXIT_IN_COMMIT";
  static constexpr std::string_view kNoExchangeVariable = "GRADFLOW_TEST_NO_RENAME_EXCHANGE";

 private:
  std::filesystem::path final_;
  std::filesystem::path staging_;
  int lock_fd_ = -1;
  bool committed_ = false;
  std::optional<support::CleanupOnInterrupt> interrupt_cleanup_;  // removes staging_ on Ctrl-C
};

// Whether `dir` is a real folder (not a symlink) whose marker file gradflow wrote.
bool carries_gradflow_marker(const std::filesystem::path& dir);

}  // namespace gradflow::lessons
