// Catalog <-> JSON (the per-database artifact catalog.json). Pure functions;
// thread-safe. nlohmann/json stays inside the .cpp.
#pragma once

#include <string>
#include <string_view>

#include "askguru/catalog/catalog.h"
#include "askguru/common/status.h"

namespace askguru::catalog {

// Serializes every field; empty strings, lists and false flags are left out to
// keep the file small. indent < 0 writes one line.
std::string to_json(const Catalog& catalog, int indent = 2);

// Reads what to_json writes (missing fields take their defaults). `source` names
// the input in errors.
Result<Catalog> catalog_from_json(std::string_view json_text, std::string_view source = "catalog.json");

Status save_catalog(const Catalog& catalog, const std::string& path);
Result<Catalog> load_catalog(const std::string& path);

}  // namespace askguru::catalog
