#pragma once
// The output folder of a lesson, written all-or-nothing.
//
// A lesson never writes into `--out` directly. It writes into a sibling staging folder
// `<out>.partial-<pid>` and, once everything is written, commit() swaps that folder into place.
// If the program fails half-way (an exception, a failed render), the destructor deletes the
// staging folder: `<out>` then still holds the previous complete result, or nothing, but
// never a half-written one that looks complete.
//
//   OutputDir out(options.out);               // fails at once if <out> cannot be written
//   out.write_text("index.html", page.str());
//   render(dot, out.path("graph.svg"), ...);  // any file, any writer
//   out.commit();                             // <out> now holds exactly these files
//
// Safety: commit() replaces <out> as a whole, so OutputDir refuses to take over an existing
// folder that is not empty and was not written by a lesson (it has no `.gradflow-output`
// marker). `--out .` or `--out ~` can therefore never wipe your files.

#include <filesystem>
#include <string_view>

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
  // Writes `content` to path(name); throws naming the file if that fails.
  void write_text(std::string_view name, std::string_view content) const;

  // Replaces <out> with the staged files: renames an old <out> away, renames the staging
  // folder into place, then deletes the old one. Call once, after the last file is written.
  void commit();

  [[nodiscard]] const std::filesystem::path& final_path() const { return final_; }
  [[nodiscard]] const std::filesystem::path& staging_path() const { return staging_; }
  [[nodiscard]] bool committed() const { return committed_; }

  // The name of the marker file every lesson output folder carries.
  static constexpr std::string_view kMarker = ".gradflow-output";

 private:
  std::filesystem::path final_;
  std::filesystem::path staging_;
  bool committed_ = false;
};

}  // namespace gradflow::lessons
