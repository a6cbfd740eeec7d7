#include "lessons/runtime/output_dir.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>

namespace gradflow::lessons {

namespace fs = std::filesystem;

namespace {

// "<out>.partial-<pid>" / "<out>.old-<pid>": the sibling folders OutputDir works with.
fs::path sibling(const fs::path& final_path, std::string_view tag, long pid) {
  return final_path.parent_path() / fmt::format("{}.{}-{}", final_path.filename().string(), tag, pid);
}

bool is_empty_folder(const fs::path& p) {
  std::error_code ec;
  return fs::is_empty(p, ec) && !ec;
}

// A run killed with SIGKILL cannot clean up after itself. Its leftovers carry its pid, so
// the next run removes those whose process no longer exists.
void remove_stale_siblings(const fs::path& final_path) {
  std::error_code ec;
  const fs::path parent = final_path.parent_path().empty() ? fs::path(".") : final_path.parent_path();
  const std::string stem = final_path.filename().string();
  for (const auto& entry : fs::directory_iterator(parent, ec)) {
    const std::string name = entry.path().filename().string();
    for (std::string_view tag : {".partial-", ".old-"}) {
      const std::string prefix = stem + std::string(tag);
      if (!name.starts_with(prefix) || name.size() == prefix.size()) continue;
      const std::string pid = name.substr(prefix.size());
      if (!std::all_of(pid.begin(), pid.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) continue;
      if (fs::exists(fs::path("/proc") / pid, ec)) continue;  // still running (or unknowable)
      fs::remove_all(entry.path(), ec);
    }
  }
}

}  // namespace

OutputDir::OutputDir(fs::path final_path) {
  fs::path p = final_path.lexically_normal();
  if (!p.empty() && !p.has_filename()) p = p.parent_path();  // "out/lesson01/" -> "out/lesson01"
  const std::string name = p.filename().string();
  if (name.empty() || name == "." || name == ".." || p == p.root_path()) {
    throw std::runtime_error(fmt::format(
        "cannot use '{}' as the output folder: give a folder of its own, such as out/lesson01", final_path.string()));
  }
  final_ = p;
  const long pid = static_cast<long>(::getpid());
  staging_ = sibling(final_, "partial", pid);

  std::error_code ec;
  const fs::file_status status = fs::status(final_, ec);
  if (fs::exists(status)) {
    if (!fs::is_directory(status)) {
      throw std::runtime_error(
          fmt::format("cannot use '{}' as the output folder: it exists and is not a folder", final_.string()));
    }
    if (!is_empty_folder(final_) && !fs::exists(final_ / kMarker, ec)) {
      throw std::runtime_error(fmt::format(
          "refusing to use '{}' as the output folder: it holds files that no lesson wrote (no {} marker), and a "
          "finished run replaces the whole folder; choose another --out or empty it first",
          final_.string(), kMarker));
    }
  }

  if (!final_.parent_path().empty()) {
    fs::create_directories(final_.parent_path(), ec);
    if (ec) {
      throw std::runtime_error(fmt::format("cannot create the output folder '{}': creating '{}' failed: {}",
                                           final_.string(), final_.parent_path().string(), ec.message()));
    }
  }
  remove_stale_siblings(final_);
  fs::remove_all(staging_, ec);  // a leftover of an earlier process with our pid
  if (!fs::create_directory(staging_, ec) || ec) {
    throw std::runtime_error(
        fmt::format("cannot create the output folder '{}': creating its staging folder '{}' "
                    "failed: {}",
                    final_.string(), staging_.string(), ec ? ec.message() : std::string("it already exists")));
  }
  try {
    write_text(kMarker, "This folder was written by a gradflow lesson. The next run replaces it as a whole.\n");
  } catch (...) {
    fs::remove_all(staging_, ec);  // the destructor does not run when a constructor throws
    throw;
  }
}

OutputDir::~OutputDir() {
  if (committed_) return;
  std::error_code ec;  // a destructor must not throw; a leftover is cleaned by the next run
  fs::remove_all(staging_, ec);
}

fs::path OutputDir::path(std::string_view name) const {
  const fs::path relative = fs::path(name).lexically_normal();
  const bool escapes = std::any_of(relative.begin(), relative.end(), [](const fs::path& part) { return part == ".."; });
  if (relative.empty() || relative.is_absolute() || escapes) {
    throw std::invalid_argument(
        fmt::format("output folder: '{}' must be a relative path inside the output folder", name));
  }
  if (committed_) throw std::logic_error(fmt::format("output folder: '{}' requested after commit()", name));
  fs::path full = staging_ / relative;
  std::error_code ec;
  fs::create_directories(full.parent_path(), ec);
  if (ec) {
    throw std::runtime_error(
        fmt::format("cannot create the folder '{}': {}", full.parent_path().string(), ec.message()));
  }
  return full;
}

void OutputDir::write_text(std::string_view name, std::string_view content) const {
  const fs::path file = path(name);
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) throw std::runtime_error(fmt::format("cannot write '{}'", file.string()));
}

void OutputDir::commit() {
  if (committed_) throw std::logic_error(fmt::format("output folder '{}': commit() called twice", final_.string()));
  std::error_code ec;
  const fs::path old = sibling(final_, "old", static_cast<long>(::getpid()));
  const bool had_old = fs::exists(final_, ec);
  if (had_old) {
    fs::remove_all(old, ec);
    fs::rename(final_, old, ec);
    if (ec) {
      throw std::runtime_error(fmt::format("cannot replace the output folder '{}': moving it aside failed: {}",
                                           final_.string(), ec.message()));
    }
  }
  fs::rename(staging_, final_, ec);
  if (ec) {
    const std::string reason = ec.message();
    if (had_old) fs::rename(old, final_, ec);  // put the previous result back
    throw std::runtime_error(fmt::format("cannot move the finished output into '{}': {}", final_.string(), reason));
  }
  committed_ = true;
  if (had_old) fs::remove_all(old, ec);  // if this fails the next run removes it
}

}  // namespace gradflow::lessons
