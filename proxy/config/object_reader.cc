#include "proxy/config/object_reader.h"

#include <algorithm>

namespace resplit::config {
namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string unknown_key_message(std::string_view key, const std::vector<std::string>& known) {
  const std::string* best = nullptr;
  size_t best_distance = 3;  // beyond two edits a guess is more confusing than helpful
  for (const std::string& k : known) {
    size_t d = edit_distance(key, k);
    if (d < best_distance) {
      best = &k;
      best_distance = d;
    }
  }
  if (best != nullptr) return "unknown key (did you mean " + *best + "?)";
  if (known.empty()) return "unknown key (this map takes no keys)";
  std::string out = "unknown key; expected one of ";
  for (size_t i = 0; i < known.size(); ++i) {
    if (i > 0) out += ", ";
    out += known[i];
  }
  return out;
}

}  // namespace

std::string describe_node(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "\"" + node.Scalar() + "\"";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return "nothing (null)";
  }
  return "something else";
}

ObjectReader::ObjectReader(const YAML::Node& node, std::string path, Diagnostics& diag)
    : path_(std::move(path)), diag_(diag) {
  if (node.IsNull()) return;
  if (!node.IsMap()) {
    diag_.error(path_, "expected a map, got " + describe_node(node));
    return;
  }
  for (const auto& pair : node) {
    // Copies: yaml-cpp's iterator hands out temporaries, and Nodes are cheap handles.
    const YAML::Node key = pair.first;
    if (!key.IsScalar()) {
      diag_.error_at(position_of(key.Mark()), path_,
                     "keys must be plain names, got " + describe_node(key));
      continue;
    }
    auto first = std::find_if(entries_.begin(), entries_.end(),
                              [&](const Entry& e) { return e.key == key.Scalar(); });
    if (first != entries_.end()) {
      diag_.error_at(position_of(key.Mark()), path_of(key.Scalar()),
                     "duplicate key (first at line " +
                         std::to_string(position_of(first->key_node.Mark()).line) + ")");
      continue;
    }
    entries_.push_back(Entry{key.Scalar(), key, pair.second});
  }
}

bool ObjectReader::has(std::string_view key) const {
  return std::any_of(entries_.begin(), entries_.end(),
                     [&](const Entry& e) { return e.key == key; });
}

std::optional<YAML::Node> ObjectReader::take(std::string_view key) {
  if (std::find(asked_.begin(), asked_.end(), key) == asked_.end()) asked_.emplace_back(key);
  for (Entry& e : entries_) {
    if (e.key != key) continue;
    e.used = true;
    // A scalar points at itself; a block map's own mark is its first key, and a null value's
    // mark is wherever the next token starts, so for those the key itself is the better place.
    const YAML::Mark mark = e.value.IsScalar() ? e.value.Mark() : e.key_node.Mark();
    diag_.record(path_of(key), position_of(mark));
    return e.value;
  }
  return std::nullopt;
}

void ObjectReader::finish() {
  for (const Entry& e : entries_) {
    if (e.used) continue;
    diag_.error_at(position_of(e.key_node.Mark()), path_of(e.key),
                   unknown_key_message(e.key, asked_));
  }
}

void ObjectReader::section(std::string_view key, const std::function<void(ObjectReader&)>& fn) {
  if (auto v = take(key)) read_map(*v, path_of(key), diag_, fn);
}

void ObjectReader::list(std::string_view key, std::string_view item_what,
                        const std::function<void(const YAML::Node&, const std::string&)>& fn) {
  auto v = take(key);
  if (!v || v->IsNull()) return;
  const std::string path = path_of(key);
  if (!v->IsSequence()) {
    diag_.error(path,
                "expected a list of " + std::string(item_what) + ", got " + describe_node(*v));
    return;
  }
  for (size_t i = 0; i < v->size(); ++i) {
    const YAML::Node item = (*v)[i];
    const std::string p = item_path(path, i);
    diag_.record(p, position_of(item.Mark()));
    fn(item, p);
  }
}

void read_map(const YAML::Node& node, const std::string& path, Diagnostics& diag,
              const std::function<void(ObjectReader&)>& fn) {
  ObjectReader reader(node, path, diag);
  fn(reader);
  reader.finish();
}

}  // namespace resplit::config
