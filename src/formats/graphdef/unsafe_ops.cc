#include "formats/graphdef/unsafe_ops.h"

#include <algorithm>
#include <map>

namespace tfport {
namespace {

constexpr std::string_view kReadsFiles = "reads files";
constexpr std::string_view kWritesFiles = "writes files";
constexpr std::string_view kNetwork = "talks to other processes or machines over the network";
constexpr std::string_view kPython = "runs Python code";
constexpr std::string_view kOutput = "writes to the process output or to files";

// Op type -> reason. Sources: TF's op registry (core/ops/*.cc) for io, reader, dataset, lookup,
// summary, debug, logging, script, rpc and collective ops.
const std::map<std::string_view, std::string_view>& unsafe_op_table() {
  static const std::map<std::string_view, std::string_view> table = {
      // Plain file io (io_ops.cc).
      {"ReadFile", kReadsFiles},
      {"WriteFile", kWritesFiles},
      {"MatchingFiles", kReadsFiles},
      {"ImmutableConst", kReadsFiles},  // memory-maps a file named by an attr
      // Checkpoint io.
      {"Save", kWritesFiles},
      {"SaveV2", kWritesFiles},
      {"SaveSlices", kWritesFiles},
      {"MergeV2Checkpoints", kWritesFiles},
      {"Restore", kReadsFiles},
      {"RestoreV2", kReadsFiles},
      {"RestoreSlice", kReadsFiles},
      {"LoadAndRemapMatrix", kReadsFiles},
      {"GenerateVocabRemapping", kReadsFiles},
      // Queue-based readers (reader ops take file names from a queue).
      {"TextLineReader", kReadsFiles},
      {"TextLineReaderV2", kReadsFiles},
      {"TFRecordReader", kReadsFiles},
      {"TFRecordReaderV2", kReadsFiles},
      {"FixedLengthRecordReader", kReadsFiles},
      {"FixedLengthRecordReaderV2", kReadsFiles},
      {"WholeFileReader", kReadsFiles},
      {"WholeFileReaderV2", kReadsFiles},
      {"LMDBReader", kReadsFiles},
      // tf.data sources and sinks that touch files or the network.
      {"TextLineDataset", kReadsFiles},
      {"TFRecordDataset", kReadsFiles},
      {"TFRecordDatasetV2", kReadsFiles},
      {"FixedLengthRecordDataset", kReadsFiles},
      {"FixedLengthRecordDatasetV2", kReadsFiles},
      {"CSVDataset", kReadsFiles},
      {"CSVDatasetV2", kReadsFiles},
      {"ExperimentalCSVDataset", kReadsFiles},
      {"LMDBDataset", kReadsFiles},
      {"ExperimentalLMDBDataset", kReadsFiles},
      {"SqlDataset", kReadsFiles},
      {"ExperimentalSqlDataset", kReadsFiles},
      {"MatchingFilesDataset", kReadsFiles},
      {"ExperimentalMatchingFilesDataset", kReadsFiles},
      {"LoadDataset", kReadsFiles},
      {"SaveDataset", kWritesFiles},
      {"SaveDatasetV2", kWritesFiles},
      {"SnapshotDataset", kWritesFiles},
      {"SnapshotDatasetV2", kWritesFiles},
      {"DistributedSave", kWritesFiles},
      {"CacheDataset", kWritesFiles},
      {"CacheDatasetV2", kWritesFiles},
      {"DatasetToTFRecord", kWritesFiles},
      {"ExperimentalDatasetToTFRecord", kWritesFiles},
      {"DataServiceDataset", kNetwork},
      {"DataServiceDatasetV2", kNetwork},
      {"DataServiceDatasetV3", kNetwork},
      {"DataServiceDatasetV4", kNetwork},
      {"RegisterDataset", kNetwork},
      {"RegisterDatasetV2", kNetwork},
      // Lookup tables initialised from files.
      {"InitializeTableFromTextFile", kReadsFiles},
      {"InitializeTableFromTextFileV2", kReadsFiles},
      // Summaries and event files.
      {"CreateSummaryFileWriter", kWritesFiles},
      {"CreateSummaryDbWriter", kWritesFiles},
      {"WriteSummary", kWritesFiles},
      {"WriteRawProtoSummary", kWritesFiles},
      {"WriteScalarSummary", kWritesFiles},
      {"WriteHistogramSummary", kWritesFiles},
      {"WriteImageSummary", kWritesFiles},
      {"WriteAudioSummary", kWritesFiles},
      {"WriteGraphSummary", kWritesFiles},
      {"ImportEvent", kWritesFiles},
      {"FlushSummaryWriter", kWritesFiles},
      {"CloseSummaryWriter", kWritesFiles},
      // Logging and debugging (debug ops can write to file:// and grpc:// URLs).
      {"Print", kOutput},
      {"PrintV2", kOutput},
      {"DebugIdentity", kOutput},
      {"DebugIdentityV2", kOutput},
      {"DebugIdentityV3", kOutput},
      {"DebugNanCount", kOutput},
      {"DebugNumericSummary", kOutput},
      {"DebugNumericSummaryV2", kOutput},
      // Python callbacks (script_ops.cc).
      {"PyFunc", kPython},
      {"PyFuncStateless", kPython},
      {"EagerPyFunc", kPython},
      // Remote calls, RPC and cross-process communication.
      {"RemoteCall", kNetwork},
      {"Rpc", kNetwork},
      {"TryRpc", kNetwork},
      {"RpcCall", kNetwork},
      {"RpcClient", kNetwork},
      {"RpcServer", kNetwork},
      {"RpcServerStart", kNetwork},
      {"RpcServerRegister", kNetwork},
      {"_Send", kNetwork},
      {"_Recv", kNetwork},
      {"_HostSend", kNetwork},
      {"_HostRecv", kNetwork},
      {"CollectiveReduce", kNetwork},
      {"CollectiveReduceV2", kNetwork},
      {"CollectiveReduceV3", kNetwork},
      {"CollectiveGather", kNetwork},
      {"CollectiveGatherV2", kNetwork},
      {"CollectiveBcastSend", kNetwork},
      {"CollectiveBcastSendV2", kNetwork},
      {"CollectiveBcastRecv", kNetwork},
      {"CollectiveBcastRecvV2", kNetwork},
      {"CollectiveAllToAllV2", kNetwork},
      {"CollectiveAllToAllV3", kNetwork},
      {"CollectiveReduceScatterV2", kNetwork},
      {"CollectivePermute", kNetwork},
      {"GcsConfigureCredentials", kNetwork},
      {"GcsConfigureBlockCache", kNetwork},
      {"BigQueryReader", kNetwork},
  };
  return table;
}

}  // namespace

const std::vector<std::string>& unsafe_ops() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& [name, reason] : unsafe_op_table()) v.emplace_back(name);
    return v;  // std::map iterates in sorted order
  }();
  return names;
}

bool is_unsafe_op(std::string_view op) { return unsafe_op_table().count(op) > 0; }

std::string_view unsafe_op_reason(std::string_view op) {
  auto it = unsafe_op_table().find(op);
  return it == unsafe_op_table().end() ? std::string_view() : it->second;
}

}  // namespace tfport
