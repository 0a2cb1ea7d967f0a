// Lookup tables: HashTableV2 / MutableHashTableV2 and the ops that fill and query them
// (LookupTableImportV2, InitializeTableV2, InitializeTableFromTextFileV2, LookupTableInsertV2,
// LookupTableFindV2, LookupTableSizeV2). Feature columns, StringLookup/IntegerLookup and
// TextVectorization export these.
//
// A table lives in the model's ResourceStore as a scalar variant Tensor pointing at a
// LookupTable, under the key its handle names; the handle op creates it once (get_or_insert),
// so init ops and serving runs see the same table. Keys and values are kept as bytes (the
// string itself, or the element's bytes), which covers every key/value dtype pairing.
#include <cstring>
#include <memory>
#include <shared_mutex>
#include <unordered_map>

#include "core/file.h"
#include "runtime/ops/op_util.h"
#include "runtime/resource_store.h"

namespace tfport::runtime::ops {
namespace {

struct LookupTable {
  DType key_dtype = DType::kInvalid;
  DType value_dtype = DType::kInvalid;
  mutable std::shared_mutex mu;
  std::unordered_map<std::string, std::string> entries;
};

// Integer keys are widened to int64 so an int32 query finds an int64 key's entry.
std::string encode(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DType::kString: return t.strings()[static_cast<size_t>(i)];
    case DType::kInt32: {
      int64_t v = t.data<int32_t>()[i];
      return std::string(reinterpret_cast<const char*>(&v), sizeof v);
    }
    default: {
      size_t n = element_storage_size(t.dtype());
      return std::string(static_cast<const char*>(t.raw_data()) + static_cast<size_t>(i) * n, n);
    }
  }
}

bool supported_type(DType t) {
  return t == DType::kString || t == DType::kInt64 || t == DType::kInt32 || t == DType::kFloat || t == DType::kDouble;
}

StatusOr<std::shared_ptr<LookupTable>> table_of(const KernelContext& ctx, std::string_view op, const Tensor& handle) {
  if (ctx.resources == nullptr) return ctx.error(op, "no resource store to hold tables");
  if (handle.dtype() != DType::kResource || handle.strings().empty()) return ctx.error(op, "input 0 is not a table handle");
  if (!ctx.resources->contains(handle.strings()[0])) {
    return ctx.error(op, "table '" + handle.strings()[0] + "' does not exist");
  }
  TFPORT_ASSIGN_OR_RETURN(Tensor t, ctx.resources->read(handle.strings()[0]));
  if (t.dtype() != DType::kVariant || t.raw_data() == nullptr) {
    return ctx.error(op, "resource '" + handle.strings()[0] + "' is not a lookup table");
  }
  // The variant tensor's keep-alive owns the table; alias it so the caller holds it too.
  auto holder = std::make_shared<Tensor>(t);
  return std::shared_ptr<LookupTable>(holder, static_cast<LookupTable*>(t.mutable_raw_data()));
}

class TableHandleKernel final : public Kernel {
 public:
  TableHandleKernel(std::string key, DType k, DType v) : key_(std::move(key)), k_(k), v_(v) {}
  Status compute(KernelContext& ctx) const override {
    if (ctx.resources == nullptr) return ctx.error("HashTableV2", "no resource store to hold tables");
    auto table = std::make_shared<LookupTable>();
    table->key_dtype = k_;
    table->value_dtype = v_;
    LookupTable* p = table.get();
    ctx.resources->get_or_insert(key_, Tensor::wrap(DType::kVariant, Shape{}, p, std::shared_ptr<const void>(table, p)));
    ctx.outputs->push_back(Tensor::resource_handle(key_));
    return Status::OK();
  }

 private:
  std::string key_;
  DType k_, v_;
};

StatusOr<std::unique_ptr<Kernel>> make_table(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(std::string container, attrs.get_string_or("container", ""));
  TFPORT_ASSIGN_OR_RETURN(std::string shared, attrs.get_string_or("shared_name", ""));
  TFPORT_ASSIGN_OR_RETURN(DType k, attrs.get_type("key_dtype"));
  TFPORT_ASSIGN_OR_RETURN(DType v, attrs.get_type("value_dtype"));
  if (!supported_type(k) || !supported_type(v)) return attrs.error("unsupported key or value dtype");
  // Tables live beside variables in the store; the prefix keeps a table from shadowing one.
  std::string key = "table:" + variable_key(container, shared, std::string(attrs.node_name()));
  return std::unique_ptr<Kernel>(std::make_unique<TableHandleKernel>(std::move(key), k, v));
}

Status insert_all(const KernelContext& ctx, std::string_view op, LookupTable& table, const Tensor& keys,
                  const Tensor& values, bool replace) {
  if (keys.dtype() != table.key_dtype && !(keys.dtype() == DType::kInt32 && table.key_dtype == DType::kInt64)) {
    return ctx.error(op, "keys are " + keys.description() + ", the table's keys are " +
                             std::string(dtype_name(table.key_dtype)));
  }
  if (values.dtype() != table.value_dtype) {
    return ctx.error(op, "values are " + values.description() + ", the table's values are " +
                             std::string(dtype_name(table.value_dtype)));
  }
  if (keys.num_elements() != values.num_elements()) {
    return ctx.error(op, "keys " + keys.description() + " and values " + values.description() + " differ in size");
  }
  std::unique_lock lock(table.mu);
  if (replace) table.entries.clear();
  for (int64_t i = 0; i < keys.num_elements(); ++i) table.entries[encode(keys, i)] = encode(values, i);
  return Status::OK();
}

class InsertKernel final : public Kernel {
 public:
  InsertKernel(std::string op, bool replace) : op_(std::move(op)), replace_(replace) {}
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, 3));
    TFPORT_ASSIGN_OR_RETURN(auto table, table_of(ctx, op_, ctx.inputs[0]));
    return insert_all(ctx, op_, *table, ctx.inputs[1], ctx.inputs[2], replace_);
  }

 private:
  std::string op_;
  bool replace_;
};

StatusOr<std::unique_ptr<Kernel>> make_import(const Attrs& attrs) {
  return std::unique_ptr<Kernel>(std::make_unique<InsertKernel>(std::string(attrs.op()), true));
}
StatusOr<std::unique_ptr<Kernel>> make_insert(const Attrs& attrs) {
  return std::unique_ptr<Kernel>(std::make_unique<InsertKernel>(std::string(attrs.op()), false));
}

class FindKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "LookupTableFindV2";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 3));
    TFPORT_ASSIGN_OR_RETURN(auto table, table_of(ctx, kOp, ctx.inputs[0]));
    const Tensor& keys = ctx.inputs[1];
    const Tensor& dflt = ctx.inputs[2];
    if (keys.dtype() != table->key_dtype && !(keys.dtype() == DType::kInt32 && table->key_dtype == DType::kInt64)) {
      return ctx.error(kOp, "keys are " + keys.description() + ", the table's keys are " +
                                std::string(dtype_name(table->key_dtype)));
    }
    if (dflt.dtype() != table->value_dtype || dflt.num_elements() < 1) {
      return ctx.error(kOp, "default value " + dflt.description() + " does not match the table's values");
    }
    const bool per_key_default = dflt.num_elements() == keys.num_elements() && dflt.num_elements() > 1;
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, kOp, table->value_dtype, keys.shape()));
    const size_t esize = element_storage_size(table->value_dtype);
    std::shared_lock lock(table->mu);
    for (int64_t i = 0; i < keys.num_elements(); ++i) {
      auto it = table->entries.find(encode(keys, i));
      const int64_t d = per_key_default ? i : 0;
      if (table->value_dtype == DType::kString) {
        out->mutable_strings()[static_cast<size_t>(i)] =
            it != table->entries.end() ? it->second : dflt.strings()[static_cast<size_t>(d)];
      } else {
        const char* src = it != table->entries.end() ? it->second.data()
                                                     : static_cast<const char*>(dflt.raw_data()) + static_cast<size_t>(d) * esize;
        std::memcpy(static_cast<char*>(out->mutable_raw_data()) + static_cast<size_t>(i) * esize, src, esize);
      }
    }
    return Status::OK();
  }
};

StatusOr<std::unique_ptr<Kernel>> make_find(const Attrs&) { return std::unique_ptr<Kernel>(std::make_unique<FindKernel>()); }

class SizeKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, "LookupTableSizeV2", 1));
    TFPORT_ASSIGN_OR_RETURN(auto table, table_of(ctx, "LookupTableSizeV2", ctx.inputs[0]));
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, "LookupTableSizeV2", DType::kInt64, Shape{}));
    std::shared_lock lock(table->mu);
    out->mutable_data<int64_t>()[0] = static_cast<int64_t>(table->entries.size());
    return Status::OK();
  }
};

StatusOr<std::unique_ptr<Kernel>> make_size(const Attrs&) { return std::unique_ptr<Kernel>(std::make_unique<SizeKernel>()); }

// InitializeTableFromTextFileV2: one entry per line; a column index selects a field split by
// `delimiter`, -1 the line number (plus offset), -2 the whole line.
class TextFileInitKernel final : public Kernel {
 public:
  static constexpr std::string_view kOp = "InitializeTableFromTextFileV2";
  TextFileInitKernel(int64_t key_index, int64_t value_index, int64_t vocab_size, std::string delimiter, int64_t offset)
      : key_index_(key_index), value_index_(value_index), vocab_size_(vocab_size), delimiter_(std::move(delimiter)),
        offset_(offset) {}

  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 2));
    TFPORT_ASSIGN_OR_RETURN(auto table, table_of(ctx, kOp, ctx.inputs[0]));
    const Tensor& name = ctx.inputs[1];
    if (name.dtype() != DType::kString || name.num_elements() != 1) return ctx.error(kOp, "filename must be a string scalar");
    const std::string& path = name.strings()[0];
    auto text = read_file(path, uint64_t{1} << 30);
    if (!text.ok()) return ctx.error(kOp, "cannot read the vocabulary file '" + path + "': " + text.status().message());
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < text->size()) {
      size_t nl = text->find('\n', start);
      if (nl == std::string::npos) nl = text->size();
      lines.push_back(text->substr(start, nl - start));
      start = nl + 1;
    }
    if (vocab_size_ >= 0) {
      if (static_cast<int64_t>(lines.size()) < vocab_size_) {
        return ctx.error(kOp, "'" + path + "' has " + std::to_string(lines.size()) + " lines, vocab_size is " +
                                  std::to_string(vocab_size_));
      }
      lines.resize(static_cast<size_t>(vocab_size_));
    }
    std::unique_lock lock(table->mu);
    for (size_t i = 0; i < lines.size(); ++i) {
      TFPORT_ASSIGN_OR_RETURN(std::string k, field(ctx, lines[i], i, key_index_, table->key_dtype, path));
      TFPORT_ASSIGN_OR_RETURN(std::string v, field(ctx, lines[i], i, value_index_, table->value_dtype, path));
      table->entries.emplace(std::move(k), std::move(v));
    }
    return Status::OK();
  }

 private:
  StatusOr<std::string> field(const KernelContext& ctx, const std::string& line, size_t number, int64_t index,
                              DType dtype, const std::string& path) const {
    std::string text;
    if (index == -2) {
      text = line;
    } else if (index == -1) {
      int64_t v = static_cast<int64_t>(number) + offset_;
      text = std::to_string(v);
    } else {
      size_t pos = 0;
      for (int64_t c = 0; c < index; ++c) {
        pos = line.find(delimiter_, pos);
        if (pos == std::string::npos) {
          return ctx.error(kOp, "'" + path + "' line " + std::to_string(number + 1) + " has no column " + std::to_string(index));
        }
        pos += delimiter_.size();
      }
      size_t end = line.find(delimiter_, pos);
      text = line.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    }
    if (dtype == DType::kString) return text;
    char* end = nullptr;
    if (dtype == DType::kInt64 || dtype == DType::kInt32) {
      long long v = std::strtoll(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0') return ctx.error(kOp, "'" + path + "': '" + text + "' is not an integer");
      int64_t w = v;
      return std::string(reinterpret_cast<const char*>(&w), sizeof w);
    }
    double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0') return ctx.error(kOp, "'" + path + "': '" + text + "' is not a number");
    if (dtype == DType::kFloat) {
      float f = static_cast<float>(v);
      return std::string(reinterpret_cast<const char*>(&f), sizeof f);
    }
    return std::string(reinterpret_cast<const char*>(&v), sizeof v);
  }

  int64_t key_index_, value_index_, vocab_size_;
  std::string delimiter_;
  int64_t offset_;
};

StatusOr<std::unique_ptr<Kernel>> make_text_init(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(int64_t key_index, attrs.get_int("key_index"));
  TFPORT_ASSIGN_OR_RETURN(int64_t value_index, attrs.get_int("value_index"));
  TFPORT_ASSIGN_OR_RETURN(int64_t vocab_size, attrs.get_int_or("vocab_size", -1));
  TFPORT_ASSIGN_OR_RETURN(std::string delimiter, attrs.get_string_or("delimiter", "\t"));
  TFPORT_ASSIGN_OR_RETURN(int64_t offset, attrs.get_int_or("offset", 0));
  if (key_index < -2 || value_index < -2 || delimiter.empty()) return attrs.error("bad column index or empty delimiter");
  return std::unique_ptr<Kernel>(
      std::make_unique<TextFileInitKernel>(key_index, value_index, vocab_size, std::move(delimiter), offset));
}

}  // namespace

TFPORT_REGISTER_OP({"HashTableV2", &make_table});
TFPORT_REGISTER_OP({"MutableHashTableV2", &make_table});
TFPORT_REGISTER_OP({"LookupTableImportV2", &make_import});
TFPORT_REGISTER_OP({"InitializeTableV2", &make_import});
TFPORT_REGISTER_OP({"LookupTableInsertV2", &make_insert});
TFPORT_REGISTER_OP({"LookupTableFindV2", &make_find});
TFPORT_REGISTER_OP({"LookupTableSizeV2", &make_size});
TFPORT_REGISTER_OP({"InitializeTableFromTextFileV2", &make_text_init});

}  // namespace tfport::runtime::ops
