// The config loader on arbitrary YAML: it never crashes and never throws past its interface;
// a config it rejects comes with at least one error, each with a position in the file.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proxy/config/loader.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

// No secret exists: the loader must report the reference, not read anything.
class NoSecrets : public resplit::config::SecretSource {
 public:
  std::optional<std::string> env(const std::string&) const override { return std::nullopt; }
  std::optional<std::string> file(const std::string&) const override { return std::nullopt; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  const auto result = resplit::config::load_string(yaml, "fuzz.yaml", NoSecrets{});
  if (!result.ok()) {
    FUZZ_CHECK(!result.errors.empty());
    for (const auto& e : result.errors) FUZZ_CHECK(!e.to_string().empty());
  }
  return 0;
}
