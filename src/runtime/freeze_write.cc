// Writing frozen graphs: serialized once, then appended in slices so a progress display can
// follow a large graph (hundreds of MB of constants) to disk.
#include <algorithm>

#include "core/staged_file.h"
#include "tfport/freeze.h"

namespace tfport {

Status write_graph_def_file(const std::string& path, const tensorflow::GraphDef& graph_def,
                            const ProgressCallback& progress) {
  std::string bytes;
  if (!graph_def.SerializeToString(&bytes)) return internal_error(path + ": cannot serialize the GraphDef");
  TFPORT_ASSIGN_OR_RETURN(StagedFile file, StagedFile::create(path));
  constexpr size_t kSlice = size_t{8} << 20;
  const uint64_t total = bytes.size();
  if (progress) progress(0, total);
  for (size_t at = 0; at < bytes.size(); at += kSlice) {
    const std::string_view slice = std::string_view(bytes).substr(at, std::min(kSlice, bytes.size() - at));
    TFPORT_RETURN_IF_ERROR(file.append(slice));
    if (progress) progress(at + slice.size(), total);
  }
  std::vector<StagedFile*> files{&file};
  return commit_staged_files(files);
}

}  // namespace tfport
